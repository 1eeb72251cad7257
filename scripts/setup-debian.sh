#!/usr/bin/env bash
# Installs what building profnet needs on a fresh Debian machine that has the Rust
# toolchain: cmake, a C++ compiler and libclang (HiGHS is compiled from source by
# highs-sys). Does nothing when they are already there.
# With --tests, also what the tests use: Chromium and its WebDriver (the report page is
# opened headless and screenshotted; the web workspace is clicked through), FET's command-line client (the FET export is loaded by FET) and
# LibreOffice Calc (workbooks saved by a real spreadsheet program are read).
set -euo pipefail
missing=()
lean=()
if [ "${1:-}" = "--tests" ]; then
  # Calc alone, without the suggested extras (a few hundred MB less).
  command -v soffice >/dev/null 2>&1 || lean+=(libreoffice-calc)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  command -v fet-cl >/dev/null 2>&1 || missing+=(fet)
fi
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v c++ >/dev/null 2>&1 || missing+=(g++)
dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
if [ ${#missing[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  echo "installing: ${missing[*]} ${lean[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ ${#lean[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
  fi
fi
