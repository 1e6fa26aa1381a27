//! The webhook registrar: a CloudFormation custom resource. On create and update it calls
//! `setWebhook` with the webhook's URL, the secret token, the update kinds the bot uses and
//! `max_connections`, and
//! `setMyCommands` with the commands Telegram lists in the chat (`/start`, `/menu`, `/tickets`,
//! `/help`, `/language`: in the `DefaultLanguage` property's language for everyone, in each other
//! language for users whose Telegram speaks it); on delete it calls `deleteWebhook` and
//! `deleteMyCommands` (every list). It always answers
//! CloudFormation (a custom resource that never answers holds the stack for an hour); reasons
//! never contain the token.
//!
//! Its second handler is the webhook check, run every 5 minutes by a schedule
//! ([`Registrar::check`]): `getWebhookInfo`'s pending updates and the age of Telegram's last
//! delivery error become metrics (alarms watch them), and a webhook Telegram no longer has (or
//! has with another URL) is set again as the deploy set it. It runs in this function, never in
//! the webhook's: its failures never touch the webhook.

use aws_lambda_events::cloudformation::{
    CloudFormationCustomResourceRequest, CloudFormationCustomResourceResponse,
    CloudFormationCustomResourceResponseStatus,
};
use frankenstein::methods::{DeleteMyCommandsParams, DeleteWebhookParams, SetMyCommandsParams, SetWebhookParams};
use frankenstein::AsyncTelegramApi;
use serde::{Deserialize, Serialize};
use shared::telegram::TelegramMessenger;
use shared::texts::Lang;

/// The custom resource's properties (template.yaml, `TelegramWebhook`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Properties {
    pub webhook_url: String,
    /// `DefaultLanguage`: the language of the command list for everyone (`ru` when absent).
    #[serde(default)]
    pub default_language: Option<String>,
    /// `WorkingHours`, `WorkingHolidays` and `TimeZone`, checked before anything is registered:
    /// a value the template's pattern lets through but the webhook cannot read fails the deploy
    /// with the reason, instead of reaching the functions.
    #[serde(default)]
    pub working_hours: Option<String>,
    #[serde(default)]
    pub working_holidays: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    /// `MaxConnections`: setWebhook's `max_connections`, the updates Telegram delivers at once —
    /// the webhook's reserved concurrency, so Telegram does not open more connections than the
    /// webhook may answer (its default of 40 against 20 executions is throttled). Absent (no
    /// reservation): Telegram's default. CloudFormation passes numbers as strings.
    #[serde(default)]
    pub max_connections: Option<String>,
}

impl Properties {
    fn default_lang(&self) -> Lang {
        self.default_language.as_deref().and_then(Lang::from_code).unwrap_or_default()
    }
}

/// `MaxConnections` as Telegram takes `max_connections` (1–100; none when empty or absent);
/// `Err` for a value that is no number.
fn max_connections(text: Option<&str>) -> Result<Option<u32>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let value: u32 = text.parse().map_err(|_| format!("MaxConnections {text:?} is not a number"))?;
    Ok(Some(value.clamp(1, 100)))
}

/// The client that answers CloudFormation. CloudFormation waits an hour for an answer that
/// never comes; a response URL that does not answer in 10 s fails the invocation instead, well
/// within the function's 30 s, and Lambda's retry of the event answers again.
pub fn response_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(3))
        .timeout(std::time::Duration::from_secs(10))
        .build()
}

/// The webhook check's input (template.yaml: the registrar's `WebhookCheck` schedule): the
/// webhook as the deploy registers it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebhookCheck {
    pub webhook_url: String,
    /// As the `TelegramWebhook` resource's `MaxConnections`.
    #[serde(default)]
    pub max_connections: Option<String>,
}

/// The scheduled event that carries a [`WebhookCheck`] (`{"WebhookCheck": {...}}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Scheduled {
    pub webhook_check: WebhookCheck,
}

/// What a webhook check read and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub pending_updates: u64,
    /// Seconds since Telegram's last error delivering to the webhook, when it has one.
    pub last_error_age: Option<u64>,
    pub last_error: Option<String>,
    /// The webhook was missing (or another URL) and was set again.
    pub reset: bool,
}

impl CheckReport {
    /// The metrics of the check, as EMF lines at `timestamp_ms`.
    pub fn metric_lines(&self, timestamp_ms: i64) -> Vec<String> {
        use shared::observability::{gauge_line, Metric};
        let mut lines = vec![gauge_line(Metric::TelegramPendingUpdates, self.pending_updates, timestamp_ms)];
        lines.extend(self.last_error_age.map(|age| gauge_line(Metric::WebhookLastErrorAge, age, timestamp_ms)));
        lines.push(gauge_line(Metric::WebhookResets, u64::from(self.reset), timestamp_ms));
        lines
    }
}

pub struct Registrar {
    pub telegram: TelegramMessenger,
    pub secret_token: shared::config::Secret,
    pub http: reqwest::Client,
}

impl Registrar {
    /// Handles one request and reports the outcome to CloudFormation's response URL.
    pub async fn handle(
        &self,
        request: CloudFormationCustomResourceRequest<Properties, Properties>,
    ) -> Result<(), reqwest::Error> {
        let (outcome, response_url, mut response) = match &request {
            CloudFormationCustomResourceRequest::Create(r) => (
                self.register(&r.resource_properties).await,
                r.response_url.clone(),
                base(&r.request_id, &r.stack_id, &r.logical_resource_id, None),
            ),
            CloudFormationCustomResourceRequest::Update(r) => (
                self.register(&r.resource_properties).await,
                r.response_url.clone(),
                base(&r.request_id, &r.stack_id, &r.logical_resource_id, Some(&r.physical_resource_id)),
            ),
            CloudFormationCustomResourceRequest::Delete(r) => (
                self.unregister(&r.resource_properties).await,
                r.response_url.clone(),
                base(&r.request_id, &r.stack_id, &r.logical_resource_id, Some(&r.physical_resource_id)),
            ),
            // A request type newer than this code: nothing is known to answer to.
            _ => {
                tracing::error!("unknown custom resource request type");
                return Ok(());
            }
        };
        match outcome {
            Ok(()) => response.status = CloudFormationCustomResourceResponseStatus::Success,
            Err(reason) => {
                tracing::error!(%reason, "webhook registration failed");
                response.status = CloudFormationCustomResourceResponseStatus::Failed;
                response.reason = Some(reason);
            }
        }
        // CloudFormation's presigned URL wants a PUT with an empty content type.
        self.http
            .put(response_url)
            .header("content-type", "")
            .body(serde_json::to_vec(&response).unwrap_or_default())
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// The webhook check: reads `getWebhookInfo`, sets the webhook again if Telegram has none
    /// or another URL, and publishes the readings.
    pub async fn check(&self, check: &WebhookCheck, now: chrono::DateTime<chrono::Utc>) -> Result<CheckReport, String> {
        let info = self
            .telegram
            .bot()
            .get_webhook_info()
            .await
            .map_err(|e| format!("getWebhookInfo failed: {}", describe(e)))?
            .result;
        let reset = info.url != check.webhook_url;
        if reset {
            let had = if info.url.is_empty() { "no webhook".to_owned() } else { format!("another URL ({})", info.url) };
            tracing::warn!(had, "Telegram had no webhook of this stack: set again");
            self.set_webhook(&check.webhook_url, max_connections(check.max_connections.as_deref())?).await?;
        }
        let seconds = u64::try_from(now.timestamp()).unwrap_or_default();
        let report = CheckReport {
            pending_updates: u64::from(info.pending_update_count),
            last_error_age: info.last_error_date.map(|at| seconds.saturating_sub(at)),
            last_error: info.last_error_message,
            reset,
        };
        tracing::info!(
            pending = report.pending_updates,
            last_error_age = report.last_error_age,
            last_error = report.last_error.as_deref().unwrap_or(""),
            reset,
            "webhook checked"
        );
        shared::observability::publish(report.metric_lines(now.timestamp_millis()));
        Ok(report)
    }

    /// `setWebhook` as the deploy makes it: the URL, the secret, the update kinds, the
    /// connections.
    async fn set_webhook(&self, url: &str, max_connections: Option<u32>) -> Result<(), String> {
        let params = SetWebhookParams::builder()
            .url(url)
            .secret_token(self.secret_token.expose())
            .allowed_updates(shared::telegram::allowed_updates())
            .maybe_max_connections(max_connections)
            .build();
        self.telegram
            .bot()
            .set_webhook(&params)
            .await
            .map(drop)
            .map_err(|e| format!("setWebhook failed: {}", describe(e)))
    }

    async fn register(&self, properties: &Properties) -> Result<(), String> {
        if let Some(zone) = &properties.time_zone {
            let text = |value: &Option<String>| value.clone().unwrap_or_default();
            shared::hours::WorkingHours::check(
                &text(&properties.working_hours),
                &text(&properties.working_holidays),
                zone,
            )?;
        }
        self.set_webhook(&properties.webhook_url, max_connections(properties.max_connections.as_deref())?).await?;
        for (code, lang) in shared::telegram::command_lists(properties.default_lang()) {
            let commands = SetMyCommandsParams::builder()
                .commands(shared::telegram::bot_commands(lang))
                .maybe_language_code(code.map(str::to_owned))
                .build();
            self.telegram
                .bot()
                .set_my_commands(&commands)
                .await
                .map(drop)
                .map_err(|e| format!("setMyCommands failed: {}", describe(e)))?;
        }
        Ok(())
    }

    async fn unregister(&self, properties: &Properties) -> Result<(), String> {
        let params = DeleteWebhookParams::builder().build();
        self.telegram
            .bot()
            .delete_webhook(&params)
            .await
            .map(drop)
            .map_err(|e| format!("deleteWebhook failed: {}", describe(e)))?;
        for (code, _) in shared::telegram::command_lists(properties.default_lang()) {
            self.telegram
                .bot()
                .delete_my_commands(
                    &DeleteMyCommandsParams::builder().maybe_language_code(code.map(str::to_owned)).build(),
                )
                .await
                .map(drop)
                .map_err(|e| format!("deleteMyCommands failed: {}", describe(e)))?;
        }
        Ok(())
    }
}

/// A failure in words fit for CloudFormation's console: Telegram's description, or the kind of
/// network trouble (frankenstein strips the URL, and with it the token, from its errors).
fn describe(error: frankenstein::Error) -> String {
    match error {
        frankenstein::Error::Api(response) => format!("{} {}", response.error_code, response.description),
        other => other.to_string(),
    }
}

fn base(
    request_id: &str,
    stack_id: &str,
    logical_id: &str,
    physical: Option<&str>,
) -> CloudFormationCustomResourceResponse {
    let mut response = CloudFormationCustomResourceResponse::default();
    response.request_id = request_id.to_owned();
    response.stack_id = stack_id.to_owned();
    response.logical_resource_id = logical_id.to_owned();
    response.physical_resource_id = physical.map_or_else(|| format!("telegram-webhook-{logical_id}"), str::to_owned);
    response
}
