//! The language of what people read: labels, messages, reasons (Russian by default).

/// The language of labels and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Russian (the default: the district's working language).
    #[default]
    Ru,
    En,
}

impl Lang {
    /// `ru` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the Russian or the English text.
    pub fn pick<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

impl Lang {
    /// `n` with the noun in the form its number asks: Russian one/few/many
    /// (`[«поездка», «поездки», «поездок»]`), English singular/plural.
    pub fn count(self, n: usize, ru: [&str; 3], en: [&str; 2]) -> String {
        format!("{n} {}", self.noun(n, ru, en))
    }

    /// Just the noun of [`Lang::count`].
    pub fn noun<'a>(self, n: usize, ru: [&'a str; 3], en: [&'a str; 2]) -> &'a str {
        match self {
            Lang::Ru => ru[ru_plural(n) as usize],
            Lang::En if n == 1 => en[0],
            Lang::En => en[1],
        }
    }
}

/// The Russian plural form a number asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuForm {
    /// 1, 21, 101 … (одна поездка)
    One = 0,
    /// 2–4, 22–24 … (две поездки)
    Few = 1,
    /// 0, 5–20, 25 … (пять поездок)
    Many = 2,
}

/// The one rule of Russian plurals: by the last two digits.
pub fn ru_plural(n: usize) -> RuForm {
    let (d10, d100) = (n % 10, n % 100);
    if d10 == 1 && d100 != 11 {
        RuForm::One
    } else if (2..=4).contains(&d10) && !(12..=14).contains(&d100) {
        RuForm::Few
    } else {
        RuForm::Many
    }
}

/// A room kind as people call it: the usual kinds in Russian, any other kind as the
/// bundle spells it.
pub fn kind_label(kind: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return kind.to_string();
    }
    let ru = match kind.trim().to_ascii_lowercase().as_str() {
        "general" => "обычный кабинет",
        "lab" | "laboratory" => "лаборатория",
        "computer" | "it" | "computers" => "компьютерный класс",
        "gym" | "sport" | "sports" => "спортзал",
        "workshop" => "мастерская",
        "art" => "кабинет ИЗО",
        "music" => "кабинет музыки",
        "kitchen" => "кухня",
        "library" => "библиотека",
        "hall" | "assembly" => "актовый зал",
        _ => return kind.to_string(),
    };
    ru.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals_follow_the_last_two_digits() {
        let f = ["поездка", "поездки", "поездок"];
        let e = ["trip", "trips"];
        let got: Vec<String> = [1, 2, 4, 5, 11, 12, 14, 21, 22, 24, 25, 101, 103, 111, 0]
            .iter()
            .map(|&n| Lang::Ru.count(n, f, e))
            .collect();
        assert_eq!(
            got,
            [
                "1 поездка",
                "2 поездки",
                "4 поездки",
                "5 поездок",
                "11 поездок",
                "12 поездок",
                "14 поездок",
                "21 поездка",
                "22 поездки",
                "24 поездки",
                "25 поездок",
                "101 поездка",
                "103 поездки",
                "111 поездок",
                "0 поездок"
            ]
        );
        assert_eq!(Lang::En.count(1, f, ["teacher", "teachers"]), "1 teacher");
        assert_eq!(Lang::En.count(3, f, ["teacher", "teachers"]), "3 teachers");
    }

    #[test]
    fn room_kinds_read_in_russian() {
        assert_eq!(kind_label("computer", Lang::Ru), "компьютерный класс");
        assert_eq!(kind_label("computer", Lang::En), "computer");
        assert_eq!(kind_label("химлаб", Lang::Ru), "химлаб");
    }
}
