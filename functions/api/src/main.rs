use desk::config::Config;
use lambda_http::{run, service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    desk::observability::init_logging();
    let config = Config::from_env()?;
    let sdk = desk::dynamo::load_sdk_config().await;
    let api = api::StaffApi::new(&config, desk::dynamo::DynamoClient::new(&sdk), desk::s3::client(&sdk));
    run(service_fn(|request| api.handler(request))).await
}
