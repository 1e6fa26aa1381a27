use aws_lambda_events::cloudformation::CloudFormationCustomResourceRequest;
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
    run(service_fn(|event: LambdaEvent<CloudFormationCustomResourceRequest<_, _>>| {
        let registrar = &registrar;
        async move { registrar.handle(event.payload).await.map_err(Error::from) }
    }))
    .await
}
