//! Test support and the local runner's parts: the local AWS stack, the fake Telegram Bot API,
//! and a harness that wires the real function handlers to both.

pub mod artifact;
pub mod fake_telegram;
pub mod iam;
pub mod localstack;
pub mod simulator;
pub mod stream;
pub mod updates;

use fake_telegram::FakeTelegram;
use localstack::{LocalStack, Persistence, Resources};
use serde_json::Value;
use shared::config::{ApiConfig, NotifierConfig, WebhookConfig};
use shared::telegram::{TelegramMessenger, Timeouts};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

pub const BOT_TOKEN: &str = "123456:TEST-bot-token";
/// Local secrets as long as template.yaml requires of deployed ones (32 characters or more).
pub const WEBHOOK_SECRET: &str = "local-webhook-secret-0123456789abcdef";
pub const API_TOKEN: &str = "local-api-token-0123456789abcdefghij";
pub const SUPPORT_PHONE: &str = "+7 800 555-35-35";
pub const SERVICE_DESK_URL: &str = "https://desk.example.com";

/// The notifier's Telegram calls in the tests give up after seconds: a test of a silent
/// Telegram waits this long, not the shipped [`Timeouts::default`].
pub const TEST_TIMEOUTS: Timeouts =
    Timeouts { connect: Duration::from_secs(1), call: Duration::from_secs(2), download: Duration::from_secs(4) };

static STACK: OnceLock<LocalStack> = OnceLock::new();

/// The demo contact's phone (`make run`, the sample events).
pub const DEMO_PHONE: &str = "+7 900 123-45-67";
/// The demo client's manager's phone, and the demo engineer's (`make run`'s `/as`).
pub const DEMO_MANAGER_PHONE: &str = "+7 900 000-00-01";
pub const DEMO_ENGINEER_PHONE: &str = "+7 900 000-00-02";

/// Creates the demo directory (a VIP client, its manager, a contact, an engineer) unless it
/// exists. Returns whether it created it.
pub async fn seed_demo_directory(api: &api::StaffApi) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
    let call = |method: &'static str, path: &'static str, body: Value| async move {
        let request = lambda_http::http::Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", api.api.token.expose()))
            .body(lambda_http::Body::from(if body.is_null() { String::new() } else { body.to_string() }))?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(api.handler(request).await?.status().as_u16())
    };
    if call("GET", "/clients/demo", Value::Null).await? == 200 {
        return Ok(false);
    }
    let steps = [
        (
            "PUT",
            "/employees/demo-manager",
            serde_json::json!({"name": "Ирина Менеджерова", "phone": DEMO_MANAGER_PHONE}),
        ),
        (
            "PUT",
            "/employees/demo-engineer",
            serde_json::json!({"name": "Пётр Инженеров", "phone": DEMO_ENGINEER_PHONE}),
        ),
        ("PUT", "/clients/demo", serde_json::json!({"name": "ООО «Демо»", "manager_id": "demo-manager", "vip": true})),
        (
            "PUT",
            "/contacts/demo-anna",
            serde_json::json!({"name": "Анна Демидова", "phone": DEMO_PHONE, "client_id": "demo"}),
        ),
    ];
    for (method, path, body) in steps {
        let status = call(method, path, body).await?;
        if status >= 300 {
            return Err(format!("seeding {path} answered {status}").into());
        }
    }
    Ok(true)
}

/// Files the sample events refer to, registered with a fake Telegram.
pub fn register_demo_files(telegram: &FakeTelegram) {
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];
    for id in ["demo-photo", "demo-album-1", "demo-album-2"] {
        telegram.add_file(id, &format!("photos/{id}.jpg"), jpeg.clone());
    }
    telegram.add_file("demo-document", "documents/demo.pdf", b"%PDF-1.4 demo".to_vec());
    for (id, path) in [
        ("demo-gif", "animations/error.gif.mp4"),
        ("demo-voice", "voice/file_1.oga"),
        ("demo-audio", "music/call.mp3"),
        ("demo-video", "videos/blink.mp4"),
        ("demo-video-note", "video_notes/file_2.mp4"),
    ] {
        telegram.add_file(id, path, format!("{id} bytes").into_bytes());
    }
}

/// The chat of the demo engineer (`e2e::DEMO_ENGINEER_PHONE`) in the sample events, and the
/// notice about ticket #1 the demo remembers in it.
pub const DEMO_ENGINEER_CHAT: i64 = 100502;
pub const DEMO_ENGINEER_NOTICE: i64 = 9001;

/// Remembers the notice the sample events' engineer replies to (`events/webhook/*-engineer-reply-*`)
/// as about ticket #1, as the notifier remembers each notice it sends.
pub async fn seed_demo_notice(
    store: &impl shared::ports::MessageTickets,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    store.remember_message(DEMO_ENGINEER_CHAT, DEMO_ENGINEER_NOTICE, 1, chrono::Utc::now()).await?;
    Ok(())
}

/// The local stack shared by all tests of one test binary, started on first use and stopped
/// when the binary exits.
pub fn stack() -> &'static LocalStack {
    STACK.get_or_init(|| {
        LocalStack::start(Persistence::InMemory).expect("the local stack starts (run `make setup` first)")
    })
}

/// The functions of template.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Webhook,
    Api,
    Notifier,
    Registrar,
}

impl Function {
    pub const ALL: [Function; 4] = [Function::Webhook, Function::Api, Function::Notifier, Function::Registrar];

    /// Its logical id in template.yaml.
    pub fn logical_id(self) -> &'static str {
        match self {
            Function::Webhook => "WebhookFunction",
            Function::Api => "ApiFunction",
            Function::Notifier => "NotifierFunction",
            Function::Registrar => "RegistrarFunction",
        }
    }

    /// The access key its AWS clients sign with here: the local proxies hold its requests
    /// against its policy in template.yaml by it (`iam`).
    pub fn access_key(self) -> &'static str {
        self.logical_id()
    }

    /// Its DynamoDB client on the local stack.
    pub fn dynamodb(self) -> aws_sdk_dynamodb::Client {
        stack().dynamodb_as(self.access_key())
    }

    /// Its S3 client on the local stack.
    pub fn s3(self) -> aws_sdk_s3::Client {
        stack().s3_as(self.access_key())
    }

    /// The variables template.yaml gives it: its own secrets and nothing else's.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Function::Webhook => &[
                "TELEGRAM_BOT_TOKEN",
                "TELEGRAM_SECRET_TOKEN",
                "TELEGRAM_API_URL",
                "TICKETS_TABLE",
                "BOT_TABLE",
                "ATTACHMENTS_BUCKET",
                "SUPPORT_PHONE",
                "DEFAULT_PHONE_REGION",
                "TIMEZONE",
                "WORKING_HOURS",
                "WORKING_HOLIDAYS",
                "DEFAULT_LANGUAGE",
            ],
            Function::Api => &["API_TOKEN", "TICKETS_TABLE", "BOT_TABLE", "ATTACHMENTS_BUCKET", "DEFAULT_PHONE_REGION"],
            Function::Notifier => &[
                "TELEGRAM_BOT_TOKEN",
                "TELEGRAM_API_URL",
                "TICKETS_TABLE",
                "BOT_TABLE",
                "SERVICE_DESK_URL",
                "TIMEZONE",
                "DEFAULT_LANGUAGE",
                "ATTACHMENTS_BUCKET",
            ],
            Function::Registrar => &["TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN", "TELEGRAM_API_URL"],
        }
    }
}

/// The environment `function` reads, as template.yaml sets it in AWS (only its own variables,
/// so a function that reached for another's secret would fail here as it would there).
pub fn function_env(
    function: Function,
    resources: &Resources,
    telegram_api_url: &str,
) -> HashMap<&'static str, String> {
    let mut env = every_variable(resources, telegram_api_url);
    env.retain(|name, _| function.variables().contains(name));
    env
}

fn every_variable(resources: &Resources, telegram_api_url: &str) -> HashMap<&'static str, String> {
    HashMap::from([
        ("TELEGRAM_BOT_TOKEN", BOT_TOKEN.to_owned()),
        ("TELEGRAM_SECRET_TOKEN", WEBHOOK_SECRET.to_owned()),
        ("TELEGRAM_API_URL", telegram_api_url.to_owned()),
        ("API_TOKEN", API_TOKEN.to_owned()),
        ("TICKETS_TABLE", resources.table("TicketsTable")),
        ("BOT_TABLE", resources.table("BotTable")),
        ("ATTACHMENTS_BUCKET", resources.bucket("AttachmentsBucket")),
        ("SERVICE_DESK_URL", SERVICE_DESK_URL.to_owned()),
        ("SUPPORT_PHONE", SUPPORT_PHONE.to_owned()),
        ("DEFAULT_PHONE_REGION", "RU".to_owned()),
        ("TIMEZONE", "Europe/Moscow".to_owned()),
        ("WORKING_HOURS", String::new()),
        ("WORKING_HOLIDAYS", String::new()),
        ("DEFAULT_LANGUAGE", "ru".to_owned()),
    ])
}

/// Counts DynamoDB operations (not retry attempts) made through a client: the per-update
/// request budget is asserted with it. A function running as the artifact's process is counted
/// by the permission proxy instead ([`iam::dynamo_requests`]: its requests signed as the
/// function, on one world's tables), where a retried attempt counts again (DynamoDB Local
/// does not throttle; a retry there is rare).
#[derive(Debug, Default, Clone)]
pub struct RequestCounter {
    counted: std::sync::Arc<AtomicU64>,
    proxied: Option<(&'static str, String)>,
    since: std::sync::Arc<AtomicU64>,
}

impl RequestCounter {
    fn proxied(signer: &'static str, table_prefix: &str) -> RequestCounter {
        RequestCounter { proxied: Some((signer, table_prefix.to_owned())), ..RequestCounter::default() }
    }
    pub fn get(&self) -> u64 {
        match &self.proxied {
            None => self.counted.load(Ordering::SeqCst),
            Some((signer, prefix)) => iam::dynamo_requests(signer, prefix) - self.since.load(Ordering::SeqCst),
        }
    }
    pub fn reset(&self) {
        match &self.proxied {
            None => self.counted.store(0, Ordering::SeqCst),
            Some((signer, prefix)) => self.since.store(iam::dynamo_requests(signer, prefix), Ordering::SeqCst),
        }
    }
}

impl aws_sdk_dynamodb::config::Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }
    fn read_before_execution(
        &self,
        _context: &aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.counted.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Serves a Lambda HTTP handler on a loopback port (0: a free one), any method and path, as a
/// Function URL or the HTTP API would hand requests to it. Returns the address it listens on.
pub async fn serve<F, Fut>(port: u16, handler: F) -> std::io::Result<std::net::SocketAddr>
where
    F: Fn(lambda_http::Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<lambda_http::Response<lambda_http::Body>, lambda_http::Error>> + Send,
{
    use axum::response::IntoResponse;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let handler = handler.clone();
        async move {
            let (parts, body) = request.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
                return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
            };
            let request = lambda_http::http::Request::from_parts(parts, lambda_http::Body::from(bytes.to_vec()));
            match handler(request).await {
                Ok(response) => {
                    let (parts, body) = response.into_parts();
                    axum::http::Response::from_parts(parts, axum::body::Body::from(body.as_ref().to_vec()))
                        .into_response()
                }
                Err(error) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
            }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

/// One test's world: its own tables and bucket in the shared local stack, its own fake
/// Telegram, and the real webhook and API handlers wired to them.
pub struct TestEnv {
    pub telegram: FakeTelegram,
    pub webhook: webhook::Webhook,
    pub api: api::StaffApi,
    /// The webhook's configuration (its tables and bucket are every function's).
    pub config: WebhookConfig,
    pub notifier_config: NotifierConfig,
    pub resources: Resources,
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// DynamoDB operations the webhook made.
    pub webhook_requests: RequestCounter,
    pub notifier: notifier::Notifier,
    /// The TicketsTable stream, read from its start.
    pub stream: tokio::sync::Mutex<stream::StreamPoller>,
    /// The deploy artifact's webhook, API and notifier, when the suite runs them
    /// ([`artifact::ARTIFACTS_VARIABLE`]): requests and batches go to them, not to the
    /// handlers above (which tests of a handler's other configurations still call directly).
    pub artifact: Option<Artifact>,
}

/// The functions of the deploy artifact the suite runs.
pub struct Artifact {
    pub webhook: artifact::Deployed,
    pub api: artifact::Deployed,
    pub notifier: artifact::Deployed,
}

/// The notifier with the [`TEST_TIMEOUTS`], talking to the Bot API at `api_url` with `token`
/// (a test that gets either wrong, or rotates the token, makes another).
pub fn notifier_at(config: &NotifierConfig, api_url: &str, token: &str) -> notifier::Notifier {
    let messenger = TelegramMessenger::with_timeouts(api_url, token, TEST_TIMEOUTS)
        .expect("an HTTP client")
        .with_bucket(shared::s3::S3Files::new(Function::Notifier.s3(), &config.attachments_bucket));
    notifier::Notifier::with_messenger(config, Function::Notifier.dynamodb(), messenger)
}

/// What the webhook answered.
#[derive(Debug)]
pub struct WebhookReply {
    pub status: u16,
    pub body: Option<Value>,
}

impl TestEnv {
    pub async fn new() -> TestEnv {
        Self::with_env(&[]).await
    }

    /// A world whose functions read `overrides` (name, value) instead of the defaults, where
    /// template.yaml gives them that variable.
    pub async fn with_env(overrides: &[(&str, &str)]) -> TestEnv {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let stack = stack();
        let prefix = format!("t{}-{}-", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let resources = stack.create_resources(&prefix).await.expect("tables and bucket from template.yaml");
        let telegram = FakeTelegram::start(BOT_TOKEN).await;
        let environment = |function: Function| {
            let mut env = function_env(function, &resources, &telegram.url);
            for (name, value) in overrides {
                if let Some(known) = function.variables().iter().find(|v| *v == name) {
                    env.insert(known, (*value).to_owned());
                }
            }
            env
        };
        let configured = |function: Function| {
            let env = environment(function);
            move |name: &str| env.get(name).cloned()
        };
        let artifact = artifact::artifacts_dir().map(|dir| Artifact {
            webhook: artifact::Deployed::new(&dir, Function::Webhook, environment(Function::Webhook)),
            api: artifact::Deployed::new(&dir, Function::Api, environment(Function::Api)),
            notifier: artifact::Deployed::new(&dir, Function::Notifier, environment(Function::Notifier)),
        });
        let config = WebhookConfig::from_lookup(configured(Function::Webhook)).expect("the webhook's configuration");
        let api_config = ApiConfig::from_lookup(configured(Function::Api)).expect("the API's configuration");
        let notifier_config =
            NotifierConfig::from_lookup(configured(Function::Notifier)).expect("the notifier's configuration");
        let webhook_requests = match artifact {
            Some(_) => RequestCounter::proxied(Function::Webhook.access_key(), &prefix),
            None => RequestCounter::default(),
        };
        let counted = Function::Webhook.dynamodb().config().to_builder().interceptor(webhook_requests.clone()).build();
        let stream =
            stream::StreamPoller::new(stack, &resources.table("TicketsTable"), true).await.expect("the stream");
        TestEnv {
            notifier: notifier_at(&notifier_config, &telegram.url, BOT_TOKEN),
            stream: tokio::sync::Mutex::new(stream),
            webhook: webhook::Webhook::new(
                &config,
                aws_sdk_dynamodb::Client::from_conf(counted),
                Function::Webhook.s3(),
            ),
            webhook_requests,
            api: api::StaffApi::new(&api_config, Function::Api.dynamodb(), Function::Api.s3()),
            dynamodb: stack.dynamodb(),
            telegram,
            config,
            notifier_config,
            resources,
            artifact,
        }
    }

    /// Delivers an update the way Telegram does: POST with the secret header, then carries
    /// out the method call the webhook returned in its response, if any.
    pub async fn deliver(&self, update: &Value) -> WebhookReply {
        let reply = self.post_webhook(Some(WEBHOOK_SECRET), serde_json::to_vec(update).expect("JSON")).await;
        if let Some(call) = reply.body.as_ref().filter(|b| reply.status == 200 && b.get("method").is_some()) {
            self.telegram.execute_webhook_response(call);
        }
        reply
    }

    /// Posts a raw body to the webhook handler, as an HTTP request would arrive.
    pub async fn post_webhook(&self, secret: Option<&str>, body: Vec<u8>) -> WebhookReply {
        let mut request = lambda_http::http::Request::builder().method("POST").uri("https://bot.example.com/");
        if let Some(secret) = secret {
            request = request.header(webhook::SECRET_HEADER, secret);
        }
        let request = request.body(lambda_http::Body::from(body)).expect("a request");
        let response = self.call_webhook(request).await;
        let status = response.status().as_u16();
        let body: &[u8] = response.body().as_ref();
        WebhookReply { status, body: (!body.is_empty()).then(|| serde_json::from_slice(body).expect("JSON body")) }
    }

    /// The webhook's answer to `request`: the artifact's when the suite runs it, else the
    /// handler's.
    pub async fn call_webhook(&self, request: lambda_http::Request) -> lambda_http::Response<lambda_http::Body> {
        match &self.artifact {
            Some(artifact) => artifact.webhook.http(request).await.expect("the webhook answers"),
            None => self.webhook.handler(request).await.expect("the handler answers"),
        }
    }

    /// The staff API's answer to `request`: the artifact's when the suite runs it, else the
    /// handler's.
    pub async fn call_api(&self, request: lambda_http::Request) -> lambda_http::Response<lambda_http::Body> {
        self.try_call_api(request).await.expect("the API answers")
    }

    /// [`TestEnv::call_api`], with a failed invocation as an error (what a Function URL answers
    /// with a 502) rather than a panic.
    pub async fn try_call_api(
        &self,
        request: lambda_http::Request,
    ) -> Result<lambda_http::Response<lambda_http::Body>, lambda_http::Error> {
        match &self.artifact {
            Some(artifact) => Ok(artifact.api.http(request).await?),
            None => self.api.handler(request).await,
        }
    }

    /// A sample event file's Function URL event through the webhook (`Function::Webhook`) or
    /// the API: handed to the artifact as written when the suite runs it, else read as
    /// lambda_http reads it and given to the handler.
    pub async fn invoke_http_event(
        &self,
        function: Function,
        event: &str,
    ) -> Result<lambda_http::Response<lambda_http::Body>, String> {
        if let Some(artifact) = &self.artifact {
            let deployed = if function == Function::Webhook { &artifact.webhook } else { &artifact.api };
            let event: Value = serde_json::from_str(event).map_err(|e| e.to_string())?;
            return artifact::http_response(&deployed.invoke(&event, Duration::from_secs(30)).await?);
        }
        let request = lambda_http::request::from_str(event).map_err(|e| e.to_string())?;
        let response = if function == Function::Webhook {
            self.webhook.handler(request).await
        } else {
            self.api.handler(request).await
        };
        response.map_err(|e| e.to_string())
    }

    /// Calls the staff API with the right token.
    pub async fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.api_raw(method, path, Some(&format!("Bearer {API_TOKEN}")), "application/json", body).await
    }

    /// Calls the staff API with the right token and an `Idempotency-Key`.
    pub async fn api_keyed(&self, method: &str, path: &str, body: &Value, key: &str) -> (u16, Value) {
        let authorization = format!("Bearer {API_TOKEN}");
        let headers = [("authorization", authorization.as_str()), ("idempotency-key", key)];
        self.api_with_headers(method, path, "application/json", &headers, body.to_string().into_bytes()).await
    }

    pub async fn api_raw(
        &self,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let headers: Vec<(&str, &str)> = authorization.map(|a| ("authorization", a)).into_iter().collect();
        self.api_with_headers(method, path, content_type, &headers, body).await
    }

    async fn api_with_headers(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut request = lambda_http::http::Request::builder()
            .method(method)
            .uri(format!("https://api.example.com{path}"))
            .header("content-type", content_type);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(lambda_http::Body::from(body)).expect("a request");
        let response = self.call_api(request).await;
        let status = response.status().as_u16();
        let body: &[u8] = response.body().as_ref();
        (status, serde_json::from_slice(body).unwrap_or(Value::Null))
    }
}

impl TestEnv {
    /// Reads what the TicketsTable stream holds since the last call (until it is quiet), as
    /// the Lambda service would batch it.
    pub async fn stream_batch(&self) -> aws_lambda_events::dynamodb::Event {
        let mut stream = self.stream.lock().await;
        let mut records = vec![];
        let mut quiet_since = std::time::Instant::now();
        while quiet_since.elapsed() < std::time::Duration::from_millis(400) {
            let got = stream.poll().await.expect("stream records");
            if !got.is_empty() {
                records.extend(got);
                quiet_since = std::time::Instant::now();
            }
            tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        }
        stream::lambda_event(records).expect("Lambda-shaped records")
    }

    /// Feeds a batch to the notifier (the artifact's when the suite runs it) with a minute to
    /// spare; returns the records it handed back.
    pub async fn notify(&self, batch: aws_lambda_events::dynamodb::Event) -> Vec<String> {
        let time = std::time::Duration::from_secs(60);
        let response = match &self.artifact {
            Some(artifact) => {
                let event = serde_json::to_value(&batch).expect("a JSON batch");
                let answer = artifact.notifier.invoke(&event, time).await.expect("the notifier answers");
                serde_json::from_value(answer).expect("a partial-batch response")
            }
            None => self.notifier.handle(batch, std::time::Instant::now() + time).await,
        };
        response.batch_item_failures.into_iter().filter_map(|f| f.item_identifier).collect()
    }

    /// Feeds a batch to `notifier` with `time` left in the invocation; returns the records
    /// handed back and how long the invocation took.
    pub async fn notify_with(
        &self,
        notifier: &notifier::Notifier,
        batch: aws_lambda_events::dynamodb::Event,
        time: Duration,
    ) -> (Vec<String>, Duration) {
        let start = std::time::Instant::now();
        let response = notifier.handle(batch, start + time).await;
        let failed = response.batch_item_failures.into_iter().filter_map(|f| f.item_identifier).collect();
        (failed, start.elapsed())
    }

    /// The notices kept for replay.
    pub async fn kept(&self) -> Vec<shared::notify::FailedNotice> {
        shared::ports::FailedNotices::kept(&self.store()).await.expect("kept notices")
    }

    /// Whether the notice of `event_id` to `person` is marked sent.
    pub async fn marked_sent(&self, event_id: &str, person: &shared::domain::Person) -> bool {
        let key = shared::notify::notice_key(event_id, person);
        shared::ports::SentNotices::already_sent(&self.store(), &key).await.expect("a marker read")
    }

    /// Runs everything new on the stream through the notifier; asserts no record failed.
    pub async fn run_notifier(&self) {
        let batch = self.stream_batch().await;
        assert_eq!(self.notify(batch).await, Vec::<String>::new(), "no record should fail");
    }

    /// The store the functions use, for reading back what they wrote.
    pub fn store(&self) -> shared::dynamo::DynamoStore {
        shared::dynamo::DynamoStore::new(self.dynamodb.clone(), &self.config.bot_table, &self.config.tickets_table)
    }

    pub fn files(&self) -> shared::s3::S3Files {
        shared::s3::S3Files::new(stack().s3(), &self.config.attachments_bucket)
    }

    /// The contact's tickets, newest first.
    pub async fn tickets_of(&self, contact_id: &str) -> Vec<shared::dialogue::TicketSummary> {
        shared::ports::TicketStore::contact_tickets(&self.store(), contact_id).await.expect("tickets")
    }

    pub async fn ticket(&self, id: u64) -> shared::domain::TicketDetails {
        shared::ports::TicketStore::ticket_details(&self.store(), id)
            .await
            .expect("readable")
            .expect("the ticket exists")
    }

    /// A client «ООО Ромашка» (k1) with contact Анна (c1, +7 912 345-67-89) linked to
    /// Telegram user `user`, and an employee e1 as the client's manager.
    pub async fn registered_contact(&self, user: u64) {
        for (path, body) in [
            ("/employees/e1", serde_json::json!({"name": "Иван Петров", "phone": "+7 999 111-22-33"})),
            ("/clients/k1", serde_json::json!({"name": "ООО Ромашка", "manager_id": "e1", "vip": false})),
            ("/contacts/c1", serde_json::json!({"name": "Анна", "phone": "+7 912 345-67-89", "client_id": "k1"})),
        ] {
            let (status, answer) = self.api("PUT", path, Some(body)).await;
            assert!(status == 200 || status == 201, "PUT {path}: {status} {answer}");
        }
        self.deliver(&updates::contact(1, user, "79123456789", Some(user))).await;
        self.telegram.clear();
    }

    /// The texts of the client comments on ticket `id`, oldest first.
    pub async fn client_comments(&self, id: u64) -> Vec<String> {
        let details = self.ticket(id).await;
        let clients = details.comments.iter().filter(|c| c.author_kind == shared::domain::AuthorKind::Client);
        clients.map(|c| c.text.clone()).collect()
    }

    /// An engineer, e2 «Пётр Иванов» (+7 999 222-33-44), linked to Telegram user `user`
    /// (update 4).
    pub async fn registered_engineer(&self, user: u64) {
        let body = serde_json::json!({"name": "Пётр Иванов", "phone": "+7 999 222-33-44"});
        let (status, answer) = self.api("PUT", "/employees/e2", Some(body)).await;
        assert!(status == 200 || status == 201, "PUT /employees/e2: {status} {answer}");
        self.deliver(&updates::contact(4, user, "79992223344", Some(user))).await;
    }

    /// After [`TestEnv::registered_contact`]: a second contact of k1, Борис (c2, +7 912
    /// 345-67-90), linked to Telegram user `user` (update 2). Notices of it are not sent.
    pub async fn registered_second_contact(&self, user: u64) {
        let body = serde_json::json!({"name": "Борис", "phone": "+7 912 345-67-90", "client_id": "k1"});
        let (status, answer) = self.api("PUT", "/contacts/c2", Some(body)).await;
        assert!(status == 200 || status == 201, "PUT /contacts/c2: {status} {answer}");
        self.deliver(&updates::contact(2, user, "79123456790", Some(user))).await;
    }
}

/// Stores a ticket of `contact_id` in the given status (tickets are made by later features;
/// the menu tests need some to exist).
pub async fn insert_ticket(
    store: &shared::dynamo::DynamoStore,
    contact_id: &str,
    status: shared::domain::TicketStatus,
) -> u64 {
    let id = shared::ports::TicketStore::next_ticket_id(store).await.expect("a ticket number");
    let made = shared::test_util::fixtures::ticket(id, contact_id, status, chrono::Utc::now());
    let ticket = shared::domain::Ticket {
        subject: format!("Ticket {id}"),
        changed_by: shared::domain::Actor::Employee("e1".into()),
        ..made
    };
    shared::ports::TicketStore::create_ticket(store, &ticket, &[], None).await.expect("ticket stored");
    id
}

/// A small real JPEG (32×24), as a photo Telegram hands over.
pub fn jpeg_bytes() -> Vec<u8> {
    let mut out = std::io::Cursor::new(vec![]);
    image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([x as u8 * 8, y as u8 * 10, 128]))
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("a JPEG");
    out.into_inner()
}

/// `VmRSS` and `VmHWM` of process `pid` (`self` for this one), in MB: what the memory
/// benchmarks read.
pub fn memory_of(pid: &str) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[cfg(test)]
mod tests {
    use super::Function;
    use crate::localstack::Template;
    use std::collections::BTreeSet;

    /// template.yaml gives each function exactly the variables the harness gives it, so the
    /// tests run every function with what it has in AWS, and no function holds another's secret.
    #[test]
    fn template_gives_each_function_only_its_own_variables() {
        let template = Template::load().expect("template.yaml");
        let functions: Vec<_> = template.resources_of_type("AWS::Serverless::Function").collect();
        for function in Function::ALL {
            let (_, properties) = functions
                .iter()
                .find(|(id, _)| *id == function.logical_id())
                .unwrap_or_else(|| panic!("template.yaml has no {}", function.logical_id()));
            let in_template: BTreeSet<&str> = properties["Environment"]["Variables"]
                .as_mapping()
                .into_iter()
                .flatten()
                .filter_map(|(name, _)| name.as_str())
                .collect();
            let expected: BTreeSet<&str> = function.variables().iter().copied().collect();
            assert_eq!(in_template, expected, "{}", function.logical_id());
        }
        // Globals reach every function: nothing but the log level belongs there.
        let text = std::fs::read_to_string(crate::localstack::workspace_root().join("template.yaml")).unwrap();
        let raw: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let globals = raw["Globals"]["Function"]["Environment"]["Variables"].as_mapping().cloned().unwrap_or_default();
        let global_names: Vec<_> = globals.keys().filter_map(|k| k.as_str()).collect();
        assert_eq!(global_names, ["RUST_LOG"]);
    }
}
