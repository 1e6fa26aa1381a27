//! Phone numbers: everything is compared in E.164 (`+79123456789`).
//!
//! Service desks store numbers in national formats (`8 (912) 345-67-89`) and Telegram sends
//! them with or without `+`; both sides go through [`normalize`] with the desk's default region.

use phonenumber::{country, Mode};

/// A phone number in E.164 form, e.g. `+79123456789`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// A number already in E.164 form, as stored (`+` and at most 15 digits); no other form is taken.
    pub fn from_e164(text: &str) -> Option<Phone> {
        let digits = text.strip_prefix('+')?;
        let plain = (5..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        plain.then(|| Phone(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as people read it: the international format (`+7 912 345-67-89`).
    pub fn international(&self) -> String {
        match phonenumber::parse(None, &self.0) {
            Ok(number) => number.format().mode(Mode::International).to_string(),
            Err(_) => self.0.clone(),
        }
    }

    /// The number with all but the last four digits hidden, for logs.
    pub fn masked(&self) -> String {
        let keep = self.0.len().saturating_sub(4);
        format!("{}{}", "*".repeat(keep), &self.0[keep..])
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A region code such as `RU` that national numbers are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(country::Id);

impl std::str::FromStr for Region {
    type Err = String;
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        code.trim()
            .to_ascii_uppercase()
            .parse::<country::Id>()
            .map(Region)
            .map_err(|_| format!("unknown phone region {code:?}"))
    }
}

/// The longest text (in bytes) that is read as a phone number; anything longer is not one.
pub const MAX_LEN: usize = 40;

/// Normalises a number as people write it into E.164, reading national numbers in `region`.
/// Telegram's `phone_number` comes without `+` (`79123456789`): digits that are a valid
/// international number are taken as such. Returns `None` for anything that is not a valid number.
pub fn normalize(raw: &str, region: Region) -> Option<Phone> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_LEN {
        return None;
    }
    let digits_only = raw.chars().all(|c| c.is_ascii_digit());
    let candidates: Vec<String> = if digits_only {
        // A bare digit string is either international without `+` (Telegram's style) or national.
        vec![format!("+{raw}"), raw.to_owned()]
    } else {
        vec![raw.to_owned()]
    };
    candidates.iter().find_map(|text| {
        let number = phonenumber::parse(Some(region.0), text).ok()?;
        phonenumber::is_valid(&number).then(|| Phone(number.format().mode(Mode::E164).to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ru() -> Region {
        "RU".parse().unwrap()
    }

    #[test]
    fn national_and_international_forms_are_one_number() {
        for raw in [
            "8 (912) 345-67-89",
            "+7 912 345 67 89",
            "79123456789",
            "+79123456789",
            "89123456789",
            "+7 (912) 345-67-89",
        ] {
            assert_eq!(normalize(raw, ru()).map(|p| p.0), Some("+79123456789".into()), "{raw}");
        }
    }

    #[test]
    fn foreign_numbers_keep_their_country() {
        assert_eq!(normalize("+44 20 7946 0958", ru()).unwrap().as_str(), "+442079460958");
        assert_eq!(normalize("442079460958", ru()).unwrap().as_str(), "+442079460958");
    }

    #[test]
    fn garbage_is_rejected() {
        for raw in ["", "hello", "123", "+7 912", "8 (912) 345-67-89-00-11-22"] {
            assert_eq!(normalize(raw, ru()), None, "{raw}");
        }
    }

    #[test]
    fn people_read_the_international_format() {
        assert_eq!(normalize("79123456789", ru()).unwrap().international(), "+7 912 345-67-89");
        assert_eq!(normalize("+44 20 7946 0958", ru()).unwrap().international(), "+44 20 7946 0958");
    }

    #[test]
    fn masking_keeps_the_last_four_digits() {
        assert_eq!(normalize("+79123456789", ru()).unwrap().masked(), "********6789");
    }

    #[test]
    fn region_codes_parse() {
        assert!("ru".parse::<Region>().is_ok());
        assert!("XX".parse::<Region>().is_err());
    }
}
