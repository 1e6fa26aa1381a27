//! The staff/integration API Lambda: routes on the request path itself, so it runs the same
//! behind an HttpApi, a Function URL, or the local runner.

use lambda_http::{Body, Request, Response};
use shared::api::{Api, ApiRequest, ApiResponse};
use shared::config::ApiConfig;
use shared::dynamo::DynamoStore;
use shared::s3::S3Files;

pub struct StaffApi {
    pub api: Api<DynamoStore, S3Files>,
}

impl StaffApi {
    pub fn new(config: &ApiConfig, dynamodb: shared::dynamo::DynamoClient, s3: shared::s3::S3Client) -> Self {
        let store = DynamoStore::new(dynamodb, &config.bot_table, &config.tickets_table);
        let links = S3Files::new(s3, &config.attachments_bucket);
        StaffApi {
            api: Api { directory: store, links, token: config.api_token.clone(), region: config.default_phone_region },
        }
    }

    pub async fn handler(&self, request: Request) -> Result<Response<Body>, lambda_http::Error> {
        let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok());
        // A header that is not visible ASCII reads as an empty key, which is refused.
        let idempotency_key = request.headers().get("idempotency-key").map(|v| v.to_str().unwrap_or_default());
        let response = self
            .api
            .handle(
                ApiRequest {
                    method: request.method().as_str(),
                    path: request.uri().path(),
                    query: request.uri().query().unwrap_or_default(),
                    authorization,
                    idempotency_key,
                    body: request.body().as_ref(),
                },
                chrono::Utc::now(),
            )
            .await;
        Ok(to_http(response)?)
    }
}

pub fn to_http(response: ApiResponse) -> Result<Response<Body>, lambda_http::http::Error> {
    let mut builder = Response::builder().status(response.status).header("content-type", "application/json");
    for (name, value) in &response.headers {
        builder = builder.header(*name, value);
    }
    builder.body(Body::Text(response.body.to_string()))
}
