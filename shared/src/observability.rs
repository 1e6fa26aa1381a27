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
    TicketsCreated,
    NotificationsSent,
    NotificationsFailed,
}

impl Metric {
    fn name(self) -> &'static str {
        match self {
            Metric::UpdatesHandled => "UpdatesHandled",
            Metric::UpdatesFailed => "UpdatesFailed",
            Metric::UpdatesRejected => "UpdatesRejected",
            Metric::TicketsCreated => "TicketsCreated",
            Metric::NotificationsSent => "NotificationsSent",
            Metric::NotificationsFailed => "NotificationsFailed",
        }
    }
}

/// The EMF line of one data point.
pub fn emf_line(metric: Metric, value: u64, timestamp_ms: i64) -> String {
    serde_json::json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": "ServiceDeskBot",
                "Dimensions": [[]],
                "Metrics": [{"Name": metric.name(), "Unit": "Count"}]
            }]
        },
        metric.name(): value,
    })
    .to_string()
}

/// Emits a data point (skipped when zero, and outside Lambda: locally stdout is a terminal).
pub fn count(metric: Metric, value: u64) {
    if value == 0 || std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_none() {
        return;
    }
    let line = emf_line(metric, value, chrono::Utc::now().timestamp_millis());
    let _ = writeln!(std::io::stdout().lock(), "{line}");
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
}
