//! Calendars and the FET export (being written).
