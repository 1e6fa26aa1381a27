//! The deploy artifact under the end-to-end suite.
//!
//! With [`ARTIFACTS_VARIABLE`] naming a directory (`make test-artifact`: `.aws-sam/build`, what
//! `make build` made), [`crate::TestEnv`] hands the webhook's and the API's requests and the
//! notifier's batches to `<dir>/<LogicalId>/bootstrap` instead of calling the workspace's
//! handlers in its own process. Each function runs as Lambda runs it: a process started with
//! only the environment template.yaml gives it, asking a Runtime API on loopback for its next
//! event and posting the answer back, one invocation at a time; invocations that overlap get
//! another process, as Lambda starts another instance. The processes sign their AWS requests as
//! their function, so the permission proxy holds the artifact to the template's policies too.

use crate::Function;
use base64::Engine as _;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// The environment variable naming the directory of the built functions.
pub const ARTIFACTS_VARIABLE: &str = "E2E_ARTIFACTS";

/// The directory of the built functions, when the suite is to run them (relative paths are
/// the workspace's).
pub fn artifacts_dir() -> Option<PathBuf> {
    let dir = std::env::var_os(ARTIFACTS_VARIABLE).filter(|d| !d.is_empty())?;
    Some(crate::localstack::workspace_root().join(dir))
}

/// One event handed to a process, and its answer.
struct Invocation {
    id: String,
    deadline_ms: u128,
    event: Vec<u8>,
}

type Answer = (String, Result<Vec<u8>, String>);

/// The "invocation" an init error answers.
const INIT: &str = "init";

/// One instance of a function: its process, polling a Runtime API of its own on loopback.
pub struct Process {
    name: String,
    child: tokio::process::Child,
    invocations: mpsc::UnboundedSender<Invocation>,
    answers: mpsc::UnboundedReceiver<Answer>,
    /// Told at each `next` request: the process is idle, waiting for an event.
    waiting: mpsc::UnboundedReceiver<()>,
}

impl Process {
    /// Starts `bootstrap` with only `environment` (and the Runtime API's address); its stdout
    /// (logs, metrics) is discarded, its stderr (panics) shown.
    pub async fn start(bootstrap: &Path, environment: &[(String, String)]) -> Result<Process, String> {
        let (invocations, pending) = mpsc::unbounded_channel();
        let (answered, answers) = mpsc::unbounded_channel();
        let (asked, waiting) = mpsc::unbounded_channel();
        let address = runtime_api(pending, answered, asked).await.map_err(|e| format!("a Runtime API: {e}"))?;
        let child = tokio::process::Command::new(bootstrap)
            .env_clear()
            .envs(environment.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("{}: {e}", bootstrap.display()))?;
        let name = environment.iter().find(|(n, _)| n == "AWS_LAMBDA_FUNCTION_NAME").map(|(_, v)| v.clone());
        Ok(Process {
            name: name.unwrap_or_else(|| bootstrap.display().to_string()),
            child,
            invocations,
            answers,
            waiting,
        })
    }

    /// Its process id (for reading its memory).
    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits until it asks for its next event (it is idle), at most `time`.
    pub async fn until_waiting(&mut self, time: Duration) -> Result<(), String> {
        match tokio::time::timeout(time, self.waiting.recv()).await {
            Ok(Some(())) => Ok(()),
            _ => Err(format!("{} did not ask for an event within {time:?}", self.name)),
        }
    }

    /// Hands it `event` with `time` to run. `Err`: the process failed (it died, never answered,
    /// answered another invocation); `Ok(Err)`: the invocation's error, as the runtime reported
    /// it (the process goes on).
    async fn exchange(&mut self, event: &Value, time: Duration) -> Result<Result<Value, String>, String> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let name = self.name.clone();
        let id = format!("e2e-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let deadline = std::time::SystemTime::now() + time;
        let deadline_ms = deadline.duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_millis();
        let event = serde_json::to_vec(event).map_err(|e| e.to_string())?;
        self.invocations
            .send(Invocation { id: id.clone(), deadline_ms, event })
            .map_err(|_| format!("{name}: its Runtime API is gone"))?;
        let answer = tokio::select! {
            answer = self.answers.recv() => answer,
            exit = self.child.wait() => return Err(format!("{name} exited mid-invocation: {exit:?}")),
            () = tokio::time::sleep(time + Duration::from_secs(10)) => {
                return Err(format!("{name} did not answer within {time:?}"));
            }
        };
        let Some((answered, result)) = answer else { return Err(format!("{name}: the Runtime API closed")) };
        if answered == INIT {
            return Err(format!("{name} failed to start: {}", result.err().unwrap_or_default()));
        }
        if answered != id {
            return Err(format!("{name} answered {answered}, was asked {id}"));
        }
        Ok(result.and_then(|body| {
            serde_json::from_slice(&body).map_err(|e| format!("{name} answered something not JSON: {e}"))
        }))
    }

    /// Hands it `event` with `time` to run; its answer, or why there is none.
    pub async fn invoke(&mut self, event: &Value, time: Duration) -> Result<Value, String> {
        self.exchange(event, time).await?
    }
}

/// The environment Lambda gives `function`: `variables` (its template variables), the AWS
/// endpoints and credentials of the local stack (signing as the function), and the Lambda
/// service's own variables.
pub fn lambda_environment(function: Function, variables: HashMap<&'static str, String>) -> Vec<(String, String)> {
    let stack = crate::stack();
    let mut environment: Vec<(String, String)> =
        variables.into_iter().map(|(name, value)| (name.to_owned(), value)).collect();
    environment.extend(
        [
            ("AWS_REGION", crate::localstack::REGION),
            ("AWS_ACCESS_KEY_ID", function.access_key()),
            ("AWS_SECRET_ACCESS_KEY", "local"),
            ("AWS_ENDPOINT_URL_DYNAMODB", &stack.dynamodb_url),
            ("AWS_ENDPOINT_URL_S3", &stack.s3_url),
            ("AWS_LAMBDA_FUNCTION_NAME", function.logical_id()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", if function == Function::Webhook { "256" } else { "128" }),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/e2e"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "e2e"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned())),
    );
    environment
}

/// A function of the artifact: its bootstrap, its environment, its idle instances.
pub struct Deployed {
    bootstrap: PathBuf,
    environment: Vec<(String, String)>,
    idle: Mutex<Vec<Process>>,
}

impl Deployed {
    /// `function` as built in `dir`, with `variables` (its template variables).
    pub fn new(dir: &Path, function: Function, variables: HashMap<&'static str, String>) -> Deployed {
        Deployed {
            bootstrap: dir.join(function.logical_id()).join("bootstrap"),
            environment: lambda_environment(function, variables),
            idle: Mutex::new(vec![]),
        }
    }

    /// Hands `event` to an idle instance (or a new one) with `time` to run; returns its answer,
    /// or what the runtime reported as the invocation's error. An instance whose process failed
    /// is dropped (and killed), never handed another event.
    pub async fn invoke(&self, event: &Value, time: Duration) -> Result<Value, String> {
        let idle = std::iter::from_fn(|| self.idle.lock().expect("the idle instances").pop())
            .find_map(|mut process| process.alive().then_some(process));
        let mut process = match idle {
            Some(process) => process,
            None => Process::start(&self.bootstrap, &self.environment).await?,
        };
        let answer = process.exchange(event, time).await?;
        self.idle.lock().expect("the idle instances").push(process);
        answer
    }

    /// An HTTP request through the function as a Function URL hands it over (payload 2.0).
    pub async fn http(
        &self,
        request: lambda_http::Request,
    ) -> Result<lambda_http::Response<lambda_http::Body>, String> {
        let answer = self.invoke(&function_url_event(request), Duration::from_secs(30)).await?;
        http_response(&answer)
    }
}

struct RuntimeState {
    pending: tokio::sync::Mutex<mpsc::UnboundedReceiver<Invocation>>,
    answers: mpsc::UnboundedSender<Answer>,
    asked: mpsc::UnboundedSender<()>,
}

/// The Lambda Runtime API one process polls, on a free loopback port, for as long as the test's
/// runtime lives.
async fn runtime_api(
    pending: mpsc::UnboundedReceiver<Invocation>,
    answers: mpsc::UnboundedSender<Answer>,
    asked: mpsc::UnboundedSender<()>,
) -> std::io::Result<std::net::SocketAddr> {
    use axum::extract::{Path, State};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};
    type Shared = State<Arc<RuntimeState>>;

    async fn next(State(state): Shared) -> axum::response::Response {
        let _ = state.asked.send(());
        let Some(invocation) = state.pending.lock().await.recv().await else {
            return axum::http::StatusCode::GONE.into_response();
        };
        let headers = [
            ("lambda-runtime-aws-request-id", invocation.id),
            ("lambda-runtime-deadline-ms", invocation.deadline_ms.to_string()),
            ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:eu-central-1:000000000000:function:e2e".into()),
            ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000;Sampled=0".into()),
            ("content-type", "application/json".into()),
        ];
        (headers, invocation.event).into_response()
    }
    async fn response(State(state): Shared, Path(id): Path<String>, body: axum::body::Bytes) -> impl IntoResponse {
        let _ = state.answers.send((id, Ok(body.to_vec())));
        axum::http::StatusCode::ACCEPTED
    }
    async fn error(State(state): Shared, Path(id): Path<String>, body: axum::body::Bytes) -> impl IntoResponse {
        let _ = state.answers.send((id, Err(String::from_utf8_lossy(&body).into_owned())));
        axum::http::StatusCode::ACCEPTED
    }
    async fn init_error(State(state): Shared, body: axum::body::Bytes) -> impl IntoResponse {
        let _ = state.answers.send((INIT.into(), Err(String::from_utf8_lossy(&body).into_owned())));
        axum::http::StatusCode::ACCEPTED
    }

    let state = Arc::new(RuntimeState { pending: tokio::sync::Mutex::new(pending), answers, asked });
    let app = axum::Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

/// The Function URL event (payload format 2.0) for `request`; a text body (JSON, `text/*`, UTF-8)
/// as it is, any other base64-encoded, as the service hands them over.
pub fn function_url_event(request: lambda_http::Request) -> Value {
    let (parts, body) = request.into_parts();
    let mut headers = serde_json::Map::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let joined = match headers.get(name.as_str()).and_then(Value::as_str) {
            Some(earlier) => format!("{earlier},{value}"),
            None => value,
        };
        headers.insert(name.as_str().to_owned(), Value::String(joined));
    }
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or_default();
    let mut parameters = serde_json::Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode =
            |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
        let (name, value) = (decode(name), decode(value));
        let joined = match parameters.get(&name).and_then(Value::as_str) {
            Some(earlier) => format!("{earlier},{value}"),
            None => value,
        };
        parameters.insert(name, Value::String(joined));
    }
    let body: &[u8] = body.as_ref();
    let content_type = parts.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let textual = content_type.starts_with("text/") || content_type.contains("json");
    let text = std::str::from_utf8(body).ok().filter(|_| textual);
    let now = chrono::Utc::now();
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "e2e",
            "domainName": parts.uri.host().unwrap_or("e2e.lambda-url.eu-central-1.on.aws"),
            "domainPrefix": "e2e",
            "http": {
                "method": parts.method.as_str(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "e2e"
            },
            "requestId": "e2e",
            "routeKey": "$default",
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis()
        },
        "isBase64Encoded": text.is_none() && !body.is_empty()
    });
    if !parameters.is_empty() {
        event["queryStringParameters"] = Value::Object(parameters);
    }
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        event["body"] = Value::String(text.to_owned());
    } else if !body.is_empty() {
        event["body"] = Value::String(base64::engine::general_purpose::STANDARD.encode(body));
    }
    event
}

/// The HTTP response a function's Function URL answer stands for.
pub fn http_response(answer: &Value) -> Result<lambda_http::Response<lambda_http::Body>, String> {
    let status = answer["statusCode"].as_u64().ok_or_else(|| format!("no statusCode in {answer}"))?;
    let text = answer["body"].as_str().unwrap_or_default();
    let body = if answer["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| e.to_string())?
    } else {
        text.as_bytes().to_vec()
    };
    let mut response = lambda_http::Response::builder().status(status as u16);
    for (name, value) in answer["headers"].as_object().into_iter().flatten() {
        if let Some(value) = value.as_str() {
            response = response.header(name.as_str(), value);
        }
    }
    let body = if body.is_empty() { lambda_http::Body::Empty } else { lambda_http::Body::Binary(body) };
    response.body(body).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_becomes_a_function_url_event_and_back() {
        let request = lambda_http::http::Request::builder()
            .method("GET")
            .uri("https://api.example.com/tickets?status=new&q=%D0%BF+1")
            .header("authorization", "Bearer x")
            .body(lambda_http::Body::Empty)
            .unwrap();
        let event = function_url_event(request);
        assert_eq!(event["rawPath"], "/tickets");
        assert_eq!(event["queryStringParameters"], json!({"status": "new", "q": "п 1"}));
        assert_eq!(event["headers"]["authorization"], "Bearer x");
        assert!(event.get("body").is_none());
        let parsed = lambda_http::request::from_str(&event.to_string()).expect("lambda_http reads it");
        assert_eq!(parsed.uri().path(), "/tickets");
        assert_eq!(parsed.method(), "GET");

        let json_post = lambda_http::http::Request::builder()
            .method("POST")
            .uri("https://bot.example.com/")
            .header("content-type", "application/json")
            .body(lambda_http::Body::from(r#"{"update_id":1}"#))
            .unwrap();
        let event = function_url_event(json_post);
        assert_eq!(
            (event["body"].as_str(), event["isBase64Encoded"].as_bool()),
            (Some(r#"{"update_id":1}"#), Some(false))
        );
        let bytes = lambda_http::http::Request::builder()
            .method("POST")
            .uri("https://bot.example.com/")
            .header("content-type", "application/octet-stream")
            .body(lambda_http::Body::from(vec![0xFF, 0x00]))
            .unwrap();
        let event = function_url_event(bytes);
        assert_eq!((event["body"].as_str(), event["isBase64Encoded"].as_bool()), (Some("/wA="), Some(true)));

        let answer = json!({"statusCode": 201, "headers": {"content-type": "application/json"},
            "body": "eyJpZCI6MX0=", "isBase64Encoded": true});
        let response = http_response(&answer).unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(response.body().as_ref(), br#"{"id":1}"#);
    }
}
