//! Configuration, read once per container from the environment (set by template.yaml in AWS
//! and by the local runner here). Each function has its own struct that reads only the
//! variables it uses, so a function never holds another's secret: the webhook has the bot
//! token and the webhook secret, the notifier the bot token, the API the API token, the
//! registrar the bot token and the webhook secret. Secrets never appear in `Debug` output or
//! logs.

use crate::phone::Region;
use crate::texts::Lang;
use crate::zone::Zone as Tz;

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

/// The shared base of every function's configuration: how each variable is read and checked,
/// spelled once.
struct Vars<L>(L);

impl<L: Fn(&str) -> Option<String>> Vars<L> {
    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        (self.0)(name).filter(|v| !v.trim().is_empty()).ok_or(ConfigError::Missing(name))
    }
    fn secret(&self, name: &'static str) -> Result<Secret, ConfigError> {
        self.required(name).map(Secret::new)
    }
    fn telegram_api_url(&self) -> String {
        telegram_api_url(&self.0)
    }
    fn region(&self) -> Result<Region, ConfigError> {
        self.required("DEFAULT_PHONE_REGION")?
            .parse()
            .map_err(|reason| ConfigError::Invalid { name: "DEFAULT_PHONE_REGION", reason })
    }
    /// The desk's hours. A value that does not parse (the deploy's registrar refuses it first,
    /// so only a function configured by hand meets one) is logged as an error and means
    /// "always open": a bad setting must not stop the bot from answering.
    fn working_hours(&self) -> Result<Option<crate::hours::WorkingHours>, ConfigError> {
        let hours = (self.0)("WORKING_HOURS").unwrap_or_default();
        let holidays = (self.0)("WORKING_HOLIDAYS").unwrap_or_default();
        match crate::hours::WorkingHours::parse(&hours, &holidays, self.timezone()?) {
            Ok(parsed) => Ok(parsed),
            Err(reason) => {
                tracing::error!(%reason, "WORKING_HOURS or WORKING_HOLIDAYS does not parse: the desk is taken as always open");
                Ok(None)
            }
        }
    }

    fn timezone(&self) -> Result<Tz, ConfigError> {
        let timezone = self.required("TIMEZONE")?;
        timezone.parse().map_err(|_| ConfigError::Invalid {
            name: "TIMEZONE",
            reason: format!("{timezone:?} is not an IANA time zone"),
        })
    }
    /// `DEFAULT_LANGUAGE`: `ru` or `en`; `ru` when unset or empty.
    fn default_language(&self) -> Result<Lang, ConfigError> {
        let code = (self.0)("DEFAULT_LANGUAGE").unwrap_or_default();
        let code = code.trim();
        if code.is_empty() {
            return Ok(Lang::default());
        }
        Lang::from_code(code).ok_or_else(|| ConfigError::Invalid {
            name: "DEFAULT_LANGUAGE",
            reason: format!("{code:?} is not a language the bot speaks (ru, en)"),
        })
    }
    fn service_desk_url(&self) -> Result<String, ConfigError> {
        Ok(self.required("SERVICE_DESK_URL")?.trim_end_matches('/').to_owned())
    }
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The webhook: Telegram updates in, the bot's dialogue, files to S3.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub telegram_bot_token: Secret,
    /// Telegram's `X-Telegram-Bot-Api-Secret-Token`: requests without it are refused.
    pub telegram_secret_token: Secret,
    /// Base of the Bot API, `https://api.telegram.org` unless pointed at a fake.
    pub telegram_api_url: String,
    pub tickets_table: String,
    pub bot_table: String,
    pub attachments_bucket: String,
    pub support_phone: String,
    pub default_phone_region: Region,
    /// Time zone in which dates are shown to people (`DD.MM.YYYY HH:MM`).
    pub timezone: Tz,
    /// `WORKING_HOURS` and `WORKING_HOLIDAYS` in `TIMEZONE`; `None` (unset or empty): always open.
    pub working_hours: Option<crate::hours::WorkingHours>,
    /// `DEFAULT_LANGUAGE`: for users whose Telegram speaks neither Russian nor English.
    pub default_language: Lang,
}

impl WebhookConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(process_env)
    }
    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(lookup);
        Ok(WebhookConfig {
            telegram_bot_token: vars.secret("TELEGRAM_BOT_TOKEN")?,
            telegram_secret_token: vars.secret("TELEGRAM_SECRET_TOKEN")?,
            telegram_api_url: vars.telegram_api_url(),
            tickets_table: vars.required("TICKETS_TABLE")?,
            bot_table: vars.required("BOT_TABLE")?,
            attachments_bucket: vars.required("ATTACHMENTS_BUCKET")?,
            support_phone: vars.required("SUPPORT_PHONE")?,
            default_phone_region: vars.region()?,
            timezone: vars.timezone()?,
            working_hours: vars.working_hours()?,
            default_language: vars.default_language()?,
        })
    }
}

/// The staff API: the directory and tickets, presigned links to attachments.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// The bearer token every request must carry.
    pub api_token: Secret,
    pub tickets_table: String,
    pub bot_table: String,
    pub attachments_bucket: String,
    pub default_phone_region: Region,
}

impl ApiConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(process_env)
    }
    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(lookup);
        Ok(ApiConfig {
            api_token: vars.secret("API_TOKEN")?,
            tickets_table: vars.required("TICKETS_TABLE")?,
            bot_table: vars.required("BOT_TABLE")?,
            attachments_bucket: vars.required("ATTACHMENTS_BUCKET")?,
            default_phone_region: vars.region()?,
        })
    }
}

/// The notifier: TicketsTable stream records in, messages to Telegram out.
#[derive(Debug, Clone)]
pub struct NotifierConfig {
    pub telegram_bot_token: Secret,
    pub telegram_api_url: String,
    pub tickets_table: String,
    pub bot_table: String,
    /// Base of ticket links: `{service_desk_url}/tickets/{id}`.
    pub service_desk_url: String,
    pub timezone: Tz,
    /// `DEFAULT_LANGUAGE`: for recipients who have no language kept.
    pub default_language: Lang,
    /// Where files uploaded through the staff API are, which notices send to chats.
    pub attachments_bucket: String,
}

impl NotifierConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(process_env)
    }
    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(lookup);
        Ok(NotifierConfig {
            telegram_bot_token: vars.secret("TELEGRAM_BOT_TOKEN")?,
            telegram_api_url: vars.telegram_api_url(),
            tickets_table: vars.required("TICKETS_TABLE")?,
            bot_table: vars.required("BOT_TABLE")?,
            service_desk_url: vars.service_desk_url()?,
            timezone: vars.timezone()?,
            default_language: vars.default_language()?,
            attachments_bucket: vars.required("ATTACHMENTS_BUCKET")?,
        })
    }

    /// Link to a ticket in the service desk's web interface.
    pub fn ticket_url(&self, ticket_id: u64) -> String {
        format!("{}/tickets/{ticket_id}", self.service_desk_url)
    }
}

/// The registrar: calls setWebhook with the webhook secret on deploy.
#[derive(Debug, Clone)]
pub struct RegistrarConfig {
    pub telegram_bot_token: Secret,
    pub telegram_secret_token: Secret,
    pub telegram_api_url: String,
}

impl RegistrarConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(process_env)
    }
    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(lookup);
        Ok(RegistrarConfig {
            telegram_bot_token: vars.secret("TELEGRAM_BOT_TOKEN")?,
            telegram_secret_token: vars.secret("TELEGRAM_SECRET_TOKEN")?,
            telegram_api_url: vars.telegram_api_url(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::{BTreeSet, HashMap};

    const SECRETS: [&str; 3] = ["TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN", "API_TOKEN"];

    fn env() -> HashMap<&'static str, String> {
        [
            ("TELEGRAM_BOT_TOKEN", "123:secret-bot-token"),
            ("TELEGRAM_SECRET_TOKEN", "webhook-secret-0123456789abcdefghij"),
            ("API_TOKEN", "api-token-0123456789abcdefghijklmn"),
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

    /// Loads a configuration from the full environment and returns the variables it asked
    /// for, and whether it still loads with every variable it did not ask for removed.
    fn variables_read<T>(load: impl Fn(&dyn Fn(&str) -> Option<String>) -> Result<T, ConfigError>) -> BTreeSet<String> {
        let vars = env();
        let asked = RefCell::new(BTreeSet::new());
        let recording = |name: &str| {
            asked.borrow_mut().insert(name.to_owned());
            vars.get(name).cloned()
        };
        load(&recording).expect("loads from the full environment");
        let asked = asked.into_inner();
        let only_asked: HashMap<&str, String> =
            vars.iter().filter(|(k, _)| asked.contains(**k)).map(|(k, v)| (*k, v.clone())).collect();
        load(&|name| only_asked.get(name).cloned()).expect("loads from its own variables alone");
        asked
    }

    fn secrets_in(read: &BTreeSet<String>) -> Vec<&'static str> {
        SECRETS.into_iter().filter(|s| read.contains(*s)).collect()
    }

    #[test]
    fn working_hours_that_do_not_parse_mean_always_open_instead_of_a_dead_webhook() {
        let mut vars = env();
        vars.insert("WORKING_HOURS", "Sun-Thu 09:00-18:00".into());
        let config = WebhookConfig::from_lookup(|name| vars.get(name).cloned()).expect("the webhook still starts");
        assert_eq!(config.working_hours, None, "always open");
        vars.insert("WORKING_HOURS", "Mon-Fri 09:00-18:00".into());
        let config = WebhookConfig::from_lookup(|name| vars.get(name).cloned()).unwrap();
        assert!(config.working_hours.is_some());
    }

    #[test]
    fn each_function_reads_only_its_own_secrets() {
        let webhook = variables_read(|l| WebhookConfig::from_lookup(l));
        let api = variables_read(|l| ApiConfig::from_lookup(l));
        let notifier = variables_read(|l| NotifierConfig::from_lookup(l));
        let registrar = variables_read(|l| RegistrarConfig::from_lookup(l));
        assert_eq!(secrets_in(&webhook), ["TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN"]);
        assert_eq!(secrets_in(&api), ["API_TOKEN"]);
        assert_eq!(secrets_in(&notifier), ["TELEGRAM_BOT_TOKEN"]);
        assert_eq!(secrets_in(&registrar), ["TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN"]);
        // The registrar needs nothing but Telegram: no tables, no bucket.
        assert_eq!(
            registrar.into_iter().collect::<Vec<_>>(),
            ["TELEGRAM_API_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN"]
        );
    }

    #[test]
    fn each_function_loads_without_the_others_secrets() {
        fn without(names: &[&str]) -> HashMap<&'static str, String> {
            let mut vars = env();
            vars.retain(|name, _| !names.contains(name));
            vars
        }
        let vars = without(&["API_TOKEN"]);
        assert!(WebhookConfig::from_lookup(|k| vars.get(k).cloned()).is_ok());
        let vars = without(&["TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN"]);
        assert!(ApiConfig::from_lookup(|k| vars.get(k).cloned()).is_ok());
        let vars = without(&["TELEGRAM_SECRET_TOKEN", "API_TOKEN"]);
        assert!(NotifierConfig::from_lookup(|k| vars.get(k).cloned()).is_ok());
        let vars = without(&["API_TOKEN"]);
        assert!(RegistrarConfig::from_lookup(|k| vars.get(k).cloned()).is_ok());
    }

    #[test]
    fn reads_every_variable_and_defaults_the_api_url() {
        let vars = env();
        let notifier = NotifierConfig::from_lookup(|k| vars.get(k).cloned()).unwrap();
        assert_eq!(notifier.telegram_api_url, "https://api.telegram.org");
        assert_eq!(notifier.ticket_url(42), "https://desk.example.com/tickets/42");
        assert_eq!(notifier.timezone, Tz::named("Europe/Moscow").unwrap());
        assert_eq!(notifier.default_language, Lang::Ru, "unset: Russian");
        let webhook = WebhookConfig::from_lookup(|k| vars.get(k).cloned()).unwrap();
        assert_eq!(webhook.attachments_bucket, "files");
        assert_eq!(webhook.timezone, Tz::named("Europe/Moscow").unwrap());
        assert_eq!(webhook.default_language, Lang::Ru);
        let mut vars = env();
        vars.insert("DEFAULT_LANGUAGE", "en".into());
        assert_eq!(WebhookConfig::from_lookup(|k| vars.get(k).cloned()).unwrap().default_language, Lang::En);
        assert_eq!(NotifierConfig::from_lookup(|k| vars.get(k).cloned()).unwrap().default_language, Lang::En);
        let api = ApiConfig::from_lookup(|k| vars.get(k).cloned()).unwrap();
        assert!(api.api_token.matches(b"api-token-0123456789abcdefghijklmn"));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let vars = env();
        let lookup = |k: &str| vars.get(k).cloned();
        let shown = format!(
            "{:?} {:?} {:?} {:?}",
            WebhookConfig::from_lookup(lookup).unwrap(),
            ApiConfig::from_lookup(lookup).unwrap(),
            NotifierConfig::from_lookup(lookup).unwrap(),
            RegistrarConfig::from_lookup(lookup).unwrap()
        );
        for secret in SECRETS {
            assert!(!shown.contains(vars[secret].as_str()), "{secret} shown");
        }
    }

    #[test]
    fn missing_and_invalid_values_are_named() {
        let mut vars = env();
        vars.remove("BOT_TABLE");
        assert_eq!(
            WebhookConfig::from_lookup(|k| vars.get(k).cloned()).unwrap_err(),
            ConfigError::Missing("BOT_TABLE")
        );
        let mut vars = env();
        vars.insert("API_TOKEN", "  ".into());
        assert_eq!(ApiConfig::from_lookup(|k| vars.get(k).cloned()).unwrap_err(), ConfigError::Missing("API_TOKEN"));
        let mut vars = env();
        vars.insert("TIMEZONE", "Mars/Base".into());
        assert!(matches!(
            NotifierConfig::from_lookup(|k| vars.get(k).cloned()),
            Err(ConfigError::Invalid { name: "TIMEZONE", .. })
        ));
        let mut vars = env();
        vars.insert("DEFAULT_LANGUAGE", "de".into());
        assert!(matches!(
            WebhookConfig::from_lookup(|k| vars.get(k).cloned()),
            Err(ConfigError::Invalid { name: "DEFAULT_LANGUAGE", .. })
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
