//! The floor of `make bench-cold`: what any Rust function with these clients pays before its
//! first event. It loads the AWS configuration, builds a DynamoDB and an S3 client, and answers
//! every request with a greeting.

use lambda_http::{run, service_fn, Body, Error, Request, Response};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let s3 = aws_sdk_s3::Client::new(&sdk);
    run(service_fn(|_: Request| {
        // Held for the life of the process, as a function's clients are.
        let _clients = (&dynamodb, &s3);
        async { Ok::<_, Error>(Response::new(Body::from("hello"))) }
    }))
    .await
}
