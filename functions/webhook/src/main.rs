use lambda_http::{run, service_fn, Error};
use shared::config::WebhookConfig;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::observability::init_logging();
    let config = WebhookConfig::from_env()?;
    let sdk = shared::dynamo::load_sdk_config().await;
    let webhook = webhook::Webhook::new(&config, shared::dynamo::DynamoClient::new(&sdk), shared::s3::client(&sdk));
    run(service_fn(|request| webhook.handler(request))).await
}
