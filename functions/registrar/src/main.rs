//! Two handlers in one function: CloudFormation's custom resource requests (the deploy) and the
//! scheduled webhook check (`{"WebhookCheck": {...}}`).

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use shared::config::RegistrarConfig;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::observability::init_logging();
    let config = RegistrarConfig::from_env()?;
    let registrar = registrar::Registrar {
        // setWebhook gives up after the default timeouts: a silent Telegram fails the deploy
        // in seconds, with a reason, instead of holding it.
        telegram: shared::telegram::TelegramMessenger::with_timeouts(
            &config.telegram_api_url,
            config.telegram_bot_token.expose(),
            shared::telegram::Timeouts::default(),
        )?,
        secret_token: config.telegram_secret_token.clone(),
        http: registrar::response_client()?,
    };
    run(service_fn(|event: LambdaEvent<serde_json::Value>| {
        let registrar = &registrar;
        async move {
            if let Ok(scheduled) = serde_json::from_value::<registrar::Scheduled>(event.payload.clone()) {
                // A failed check fails the invocation: the alarm on the function's errors sees it.
                return registrar
                    .check(&scheduled.webhook_check, chrono::Utc::now())
                    .await
                    .map(drop)
                    .map_err(Error::from);
            }
            registrar.handle(serde_json::from_value(event.payload)?).await.map_err(Error::from)
        }
    }))
    .await
}
