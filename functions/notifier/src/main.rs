#![recursion_limit = "256"]
use aws_lambda_events::dynamodb::Event;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use shared::config::NotifierConfig;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::observability::init_logging();
    let config = NotifierConfig::from_env()?;
    let sdk = shared::dynamo::load_sdk_config().await;
    let notifier = notifier::Notifier::new(&config, shared::dynamo::DynamoClient::new(&sdk), shared::s3::client(&sdk))?;
    run(service_fn(|event: LambdaEvent<Event>| {
        let deadline = notifier::deadline_from_epoch_ms(event.context.deadline);
        let notifier = &notifier;
        async move { Ok::<_, Error>(notifier.handle(event.payload, deadline).await) }
    }))
    .await
}
