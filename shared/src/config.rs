//! Configuration, read once per container from the environment (set by template.yaml in AWS
//! and by the local runner here). Secrets never appear in `Debug` output or logs.

use crate::phone::Region;
use chrono_tz::Tz;

/// A secret string: compared in constant time, redacted in `Debug`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret's value, for the one place that must send it (an HTTP header, a URL).
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Constant-time comparison, so that response timing does not reveal the secret.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        let ours = self.0.as_bytes();
        // Lengths are not secret (Telegram's secret_token allows 1..256 characters).
        ours.len() == candidate.len() && bool::from(ours.ct_eq(candidate))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub telegram_bot_token: Secret,
    pub telegram_secret_token: Secret,
    /// Base of the Bot API, `https://api.telegram.org` unless pointed at a fake.
    pub telegram_api_url: String,
    pub api_token: Secret,
    pub tickets_table: String,
    pub bot_table: String,
    pub attachments_bucket: String,
    /// Base of ticket links: `{service_desk_url}/tickets/{id}`.
    pub service_desk_url: String,
    pub support_phone: String,
    pub default_phone_region: Region,
    /// Time zone in which dates are shown to people (`DD.MM.YYYY HH:MM`).
    pub timezone: Tz,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// `TELEGRAM_API_URL`, `https://api.telegram.org` when unset (for tools that need no more of
/// the configuration).
pub fn telegram_api_url(lookup: impl Fn(&str) -> Option<String>) -> String {
    lookup("TELEGRAM_API_URL")
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "https://api.telegram.org".into())
        .trim_end_matches('/')
        .to_owned()
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |name: &'static str| -> Result<String, ConfigError> {
            lookup(name).filter(|v| !v.trim().is_empty()).ok_or(ConfigError::Missing(name))
        };
        let region = required("DEFAULT_PHONE_REGION")?;
        let timezone = required("TIMEZONE")?;
        Ok(Config {
            telegram_bot_token: Secret::new(required("TELEGRAM_BOT_TOKEN")?),
            telegram_secret_token: Secret::new(required("TELEGRAM_SECRET_TOKEN")?),
            telegram_api_url: telegram_api_url(&lookup),
            api_token: Secret::new(required("API_TOKEN")?),
            tickets_table: required("TICKETS_TABLE")?,
            bot_table: required("BOT_TABLE")?,
            attachments_bucket: required("ATTACHMENTS_BUCKET")?,
            service_desk_url: required("SERVICE_DESK_URL")?.trim_end_matches('/').to_owned(),
            support_phone: required("SUPPORT_PHONE")?,
            default_phone_region: region
                .parse()
                .map_err(|reason| ConfigError::Invalid { name: "DEFAULT_PHONE_REGION", reason })?,
            timezone: timezone.parse().map_err(|_| ConfigError::Invalid {
                name: "TIMEZONE",
                reason: format!("{timezone:?} is not an IANA time zone"),
            })?,
        })
    }

    /// Link to a ticket in the service desk's web interface.
    pub fn ticket_url(&self, ticket_id: u64) -> String {
        format!("{}/tickets/{ticket_id}", self.service_desk_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env() -> HashMap<&'static str, String> {
        [
            ("TELEGRAM_BOT_TOKEN", "123:secret-bot-token"),
            ("TELEGRAM_SECRET_TOKEN", "webhook-secret"),
            ("API_TOKEN", "api-token-0123456789"),
            ("TICKETS_TABLE", "tickets"),
            ("BOT_TABLE", "bot"),
            ("ATTACHMENTS_BUCKET", "files"),
            ("SERVICE_DESK_URL", "https://desk.example.com/"),
            ("SUPPORT_PHONE", "+7 800 555-35-35"),
            ("DEFAULT_PHONE_REGION", "RU"),
            ("TIMEZONE", "Europe/Moscow"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
    }

    #[test]
    fn reads_every_variable_and_defaults_the_api_url() {
        let vars = env();
        let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
        assert_eq!(config.telegram_api_url, "https://api.telegram.org");
        assert_eq!(config.ticket_url(42), "https://desk.example.com/tickets/42");
        assert_eq!(config.timezone, chrono_tz::Europe::Moscow);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let vars = env();
        let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("secret-bot-token"));
        assert!(!shown.contains("webhook-secret"));
        assert!(!shown.contains("api-token-0123456789"));
    }

    #[test]
    fn missing_and_invalid_values_are_named() {
        let mut vars = env();
        vars.remove("BOT_TABLE");
        assert_eq!(Config::from_lookup(|k| vars.get(k).cloned()).unwrap_err(), ConfigError::Missing("BOT_TABLE"));
        let mut vars = env();
        vars.insert("TIMEZONE", "Mars/Base".into());
        assert!(matches!(
            Config::from_lookup(|k| vars.get(k).cloned()),
            Err(ConfigError::Invalid { name: "TIMEZONE", .. })
        ));
    }

    #[test]
    fn secrets_compare_exactly() {
        let secret = Secret::new("abc");
        assert!(secret.matches(b"abc"));
        assert!(!secret.matches(b"abd"));
        assert!(!secret.matches(b"ab"));
        assert!(!secret.matches(b""));
    }
}
