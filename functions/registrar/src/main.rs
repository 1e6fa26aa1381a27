use aws_lambda_events::cloudformation::CloudFormationCustomResourceRequest;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use shared::config::Config;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::observability::init_logging();
    let config = Config::from_env()?;
    let registrar = registrar::Registrar {
        telegram: shared::telegram::TelegramMessenger::new(
            &config.telegram_api_url,
            config.telegram_bot_token.expose(),
        ),
        secret_token: config.telegram_secret_token.clone(),
        http: reqwest::Client::new(),
    };
    run(service_fn(|event: LambdaEvent<CloudFormationCustomResourceRequest<_, _>>| {
        let registrar = &registrar;
        async move { registrar.handle(event.payload).await.map_err(Error::from) }
    }))
    .await
}
