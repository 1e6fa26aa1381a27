use aws_lambda_events::dynamodb::Event;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    desk::observability::init_logging();
    let notifier = notifier::Notifier;
    run(service_fn(|event: LambdaEvent<Event>| async { Ok::<_, Error>(notifier.handle(event.payload).await) })).await
}
