//! Logging: JSON lines for CloudWatch, level from `RUST_LOG` (default `info`).
//! Nothing logs the bot token (it only lives in the Bot API client's base URL, which
//! frankenstein strips from its errors); phone numbers are logged masked.

/// Installs the JSON log subscriber once per process; later calls do nothing.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .without_time() // CloudWatch stamps each line
        .try_init();
}
