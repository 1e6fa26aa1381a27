use lambda_http::{run, service_fn, Error};
use shared::config::ApiConfig;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::observability::init_logging();
    let config = ApiConfig::from_env()?;
    let sdk = shared::dynamo::load_sdk_config().await;
    let api = api::StaffApi::new(&config, shared::dynamo::DynamoClient::new(&sdk), shared::s3::client(&sdk));
    run(service_fn(|request| api.handler(request))).await
}
