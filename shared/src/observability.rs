//! Logging and metrics.
//!
//! Logs: JSON lines for CloudWatch, level from `RUST_LOG` (default `info`), with the fields of
//! the current span (request id, update id). Nothing logs the bot token (it only lives in the
//! Bot API client's base URL, which frankenstein strips from its errors); phone numbers are
//! logged masked ([`crate::phone::Phone::masked`]).
//!
//! Metrics: CloudWatch Embedded Metric Format — one JSON line on stdout per data point, which
//! CloudWatch Logs turns into a metric in the `ServiceDeskBot` namespace without any API call.

use std::io::Write;

/// Installs the JSON log subscriber once per process; later calls do nothing.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .without_time() // CloudWatch stamps each line
        .try_init();
}

/// The metrics the functions emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    UpdatesHandled,
    /// Failed for now; Telegram redelivers.
    UpdatesFailed,
    /// Failed for good (refused by the store, a corrupt record, failed three times): answered
    /// with what was not taken.
    UpdatesRejected,
    /// A private-chat update without what the bot needs (the sender, the chat, anything it
    /// takes): ignored, logged at WARN.
    UpdatesIncomplete,
    TicketsCreated,
    NotificationsSent,
    /// A notice that did not reach its chat, with a `Reason` ([`count_by_reason`]).
    NotificationsFailed,
    /// A notice written to the BotTable for replay (its record was handed back to the stream).
    NotificationsKept,
    /// A staff API request answered 500 `internal_error`: the store refused the request itself
    /// or a record does not read (a bug, logged with its error id).
    ApiInternalErrors,
    /// Files Telegram would not take for a notice (too large, refused): the recipient was told
    /// they are in the ticket instead. Counted once a notice.
    NoticeFilesRefused,
    /// The webhook check's reading of `getWebhookInfo`: updates Telegram holds for the webhook
    /// ([`gauge_line`], a count).
    TelegramPendingUpdates,
    /// Seconds since Telegram's last error delivering to the webhook (only while it has one).
    WebhookLastErrorAge,
    /// The webhook check found no webhook, or another URL, and set it again.
    WebhookResets,
}

impl Metric {
    fn name(self) -> &'static str {
        match self {
            Metric::UpdatesHandled => "UpdatesHandled",
            Metric::UpdatesFailed => "UpdatesFailed",
            Metric::UpdatesRejected => "UpdatesRejected",
            Metric::UpdatesIncomplete => "UpdatesIncomplete",
            Metric::TicketsCreated => "TicketsCreated",
            Metric::NotificationsSent => "NotificationsSent",
            Metric::NotificationsFailed => "NotificationsFailed",
            Metric::NotificationsKept => "NotificationsKept",
            Metric::ApiInternalErrors => "ApiInternalErrors",
            Metric::NoticeFilesRefused => "NoticeFilesRefused",
            Metric::TelegramPendingUpdates => "TelegramPendingUpdates",
            Metric::WebhookLastErrorAge => "WebhookLastErrorAge",
            Metric::WebhookResets => "WebhookResets",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Metric::WebhookLastErrorAge => "Seconds",
            _ => "Count",
        }
    }
}

/// The EMF line of one data point.
pub fn emf_line(metric: Metric, value: u64, timestamp_ms: i64) -> String {
    emf(metric, None, value, timestamp_ms)
}

/// The EMF line of one data point with a `Reason`: it counts both in the metric without
/// dimensions (the total, for alarms) and in the metric of that reason.
pub fn emf_line_by_reason(metric: Metric, reason: &str, value: u64, timestamp_ms: i64) -> String {
    emf(metric, Some(reason), value, timestamp_ms)
}

fn emf(metric: Metric, reason: Option<&str>, value: u64, timestamp_ms: i64) -> String {
    let dimensions = match reason {
        Some(_) => serde_json::json!([[REASON], []]),
        None => serde_json::json!([[]]),
    };
    let mut line = serde_json::json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": "ServiceDeskBot",
                "Dimensions": dimensions,
                "Metrics": [{"Name": metric.name(), "Unit": metric.unit()}]
            }]
        },
        metric.name(): value,
    });
    if let Some(reason) = reason {
        line[REASON] = reason.into();
    }
    line.to_string()
}

/// The dimension that sorts failures.
const REASON: &str = "Reason";

/// Emits a data point (skipped when zero, and outside Lambda: locally stdout is a terminal).
pub fn count(metric: Metric, value: u64) {
    emit(value, || emf_line(metric, value, chrono::Utc::now().timestamp_millis()));
}

/// Emits a data point of `metric` for `reason` (and for the total).
pub fn count_by_reason(metric: Metric, reason: &str, value: u64) {
    emit(value, || emf_line_by_reason(metric, reason, value, chrono::Utc::now().timestamp_millis()));
}

/// The EMF line of a reading (a gauge: zero is a reading too).
pub fn gauge_line(metric: Metric, value: u64, timestamp_ms: i64) -> String {
    emf(metric, None, value, timestamp_ms)
}

/// Emits readings ([`gauge_line`]s), zeros included (outside Lambda: nothing).
pub fn publish(lines: impl IntoIterator<Item = String>) {
    if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        let mut out = std::io::stdout().lock();
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn emit(value: u64, line: impl FnOnce() -> String) {
    if value == 0 || std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_none() {
        return;
    }
    let _ = writeln!(std::io::stdout().lock(), "{}", line());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emf_lines_name_the_metric_and_its_value() {
        let line: serde_json::Value =
            serde_json::from_str(&emf_line(Metric::TicketsCreated, 2, 1_700_000_000_000)).unwrap();
        assert_eq!(line["TicketsCreated"], 2);
        assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Namespace"], "ServiceDeskBot");
        assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], "TicketsCreated");
        assert_eq!(line["_aws"]["Timestamp"], 1_700_000_000_000i64);
    }

    #[test]
    fn a_failure_counts_in_its_reason_and_in_the_total() {
        let line: serde_json::Value =
            serde_json::from_str(&emf_line_by_reason(Metric::NotificationsFailed, "timeout", 1, 0)).unwrap();
        assert_eq!(line["NotificationsFailed"], 1);
        assert_eq!(line["Reason"], "timeout");
        assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Dimensions"], serde_json::json!([["Reason"], []]));
    }
}
