//! A fake Telegram Bot API server: records every call, answers like Telegram, serves files.
//!
//! - `POST /bot<token>/<method>` (JSON body): `sendMessage` answers a message object with an
//!   increasing `message_id` from [`BOT_MESSAGE_IDS`] on; `getFile` answers for files a test registered; `getUpdates` hands
//!   out queued updates (long polling, for the chat simulator); anything else answers `true`.
//! - `GET /file/bot<token>/<file_path>` serves the registered bytes.
//! - A chat can be made to answer 403 (blocked the bot), 400 "chat not found" (a deleted
//!   account), 429 with `retry_after`, or never to answer (the connection stays open, silent).
//! - A wrong token answers 401, like Telegram, and so does the old one after
//!   [`FakeTelegram::revoke_token`]; a path that is no Bot API method answers 404, like
//!   Telegram (a wrong `TELEGRAM_API_URL`). [`FakeTelegram::go_silent`] makes every call and
//!   download hang; [`FakeTelegram::stall_downloads`] sends the start of a file and no more.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// One recorded Bot API call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: String,
    pub params: Value,
    /// Carried out from a webhook's HTTP response rather than requested by the bot.
    pub from_webhook_response: bool,
    /// Whether the fake answered it successfully (a 403, 429 or a call left unanswered is
    /// recorded, not delivered).
    pub delivered: bool,
    /// The id of the message it made (`sendMessage` answered), as a reply to it names it.
    pub message_id: Option<i64>,
}

impl Call {
    pub fn chat_id(&self) -> Option<i64> {
        self.params["chat_id"].as_i64()
    }
    pub fn text(&self) -> Option<&str> {
        self.params["text"].as_str()
    }
    /// Labels of the reply keyboard's buttons, row by row flattened.
    pub fn reply_keyboard(&self) -> Vec<String> {
        labels(&self.params["reply_markup"]["keyboard"], "text")
    }
    /// `(label, callback_data)` of the inline keyboard's buttons.
    pub fn inline_buttons(&self) -> Vec<(String, String)> {
        buttons_in(&self.params["reply_markup"])
    }
}

/// The inline buttons of a `reply_markup` (label, `callback_data`; a link's is empty).
fn buttons_in(markup: &Value) -> Vec<(String, String)> {
    let rows = markup["inline_keyboard"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|b| {
            (
                b["text"].as_str().unwrap_or_default().to_owned(),
                b["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn labels(rows: &Value, field: &str) -> Vec<String> {
    rows.as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b[field].as_str().map(str::to_owned))
        .collect()
}

#[derive(Debug, Clone)]
struct FakeFile {
    file_path: String,
    bytes: Vec<u8>,
}

/// The first id of the bot's messages. Telegram numbers a chat's messages, the user's and the
/// bot's, from one sequence, and the bot remembers both kinds under the same keys (the bot's
/// notices for replies, the user's messages for edits); the tests' and the simulator's user
/// messages take their update's id, so the bot's start far above them and never share one.
pub const BOT_MESSAGE_IDS: i64 = 1_000_000;

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    next_message_id: i64,
    blocked: HashSet<i64>,
    /// Chats that answer 400 "chat not found".
    gone: HashSet<i64>,
    /// Chats whose messages are never answered.
    hanging: HashSet<i64>,
    /// No call is answered at all.
    silent: bool,
    /// Downloads send a few bytes and then nothing.
    stalled_downloads: bool,
    /// chat → (retry_after, how many more answers are 429)
    rate_limited: HashMap<i64, (u32, u32)>,
    files: HashMap<String, FakeFile>,
    updates: VecDeque<Value>,
    /// Telegram's flood limits, when enforced ([`FakeTelegram::enforce_flood_limits`]).
    flood: Option<Flood>,
    /// How long each method call takes to answer, as Telegram's servers do from afar.
    latency: std::time::Duration,
    /// The webhook as the last `setWebhook` set it (its parameters), until `deleteWebhook`.
    webhook: Option<Value>,
    /// What `getWebhookInfo` reports besides the URL: pending updates, the last delivery
    /// error (when, in seconds since the epoch, and what).
    pending_updates: u32,
    webhook_error: Option<(i64, String)>,
}

/// "At most `per_second` messages a second in all, `per_chat` to one chat in any `chat_span`":
/// the messages it let through, and how many it answered 429.
struct Flood {
    per_second: usize,
    per_chat: usize,
    chat_span: std::time::Duration,
    all: VecDeque<std::time::Instant>,
    chats: HashMap<i64, VecDeque<std::time::Instant>>,
    refused: u64,
}

impl Flood {
    /// `None` if a message to `chat` goes now (and it is counted), else the 429's `retry_after`.
    fn admit(&mut self, chat: i64) -> Option<u32> {
        let now = std::time::Instant::now();
        let second = std::time::Duration::from_secs(1);
        while self.all.front().is_some_and(|at| now - *at >= second) {
            self.all.pop_front();
        }
        let span = self.chat_span;
        let sent = self.chats.entry(chat).or_default();
        while sent.front().is_some_and(|at| now - *at >= span) {
            sent.pop_front();
        }
        let wait = if sent.len() >= self.per_chat {
            Some(span.saturating_sub(now - sent[sent.len() - self.per_chat]))
        } else if self.all.len() >= self.per_second {
            Some(second.saturating_sub(now - self.all[self.all.len() - self.per_second]))
        } else {
            None
        };
        if let Some(wait) = wait {
            self.refused += 1;
            return Some(u32::try_from(wait.as_secs_f64().ceil() as u64).unwrap_or(u32::MAX).max(1));
        }
        sent.push_back(now);
        self.all.push_back(now);
        None
    }
}

#[derive(Clone)]
pub struct FakeTelegram {
    inner: Arc<Mutex<Inner>>,
    /// The token it accepts (a new one after [`Self::revoke_token`]).
    token: Arc<Mutex<String>>,
    pub url: String,
    calls_changed: Arc<Notify>,
    updates_queued: Arc<Notify>,
}

impl FakeTelegram {
    /// Starts the server on a free loopback port; it runs until the runtime ends.
    pub async fn start(token: &str) -> FakeTelegram {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let fake = FakeTelegram {
            inner: Arc::new(Mutex::new(Inner { next_message_id: BOT_MESSAGE_IDS, ..Inner::default() })),
            token: Arc::new(Mutex::new(token.to_owned())),
            url,
            calls_changed: Arc::new(Notify::new()),
            updates_queued: Arc::new(Notify::new()),
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(api_call))
            .route("/file/{bot}/{*path}", get(download))
            .fallback(no_such_method)
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panicking test thread may poison the lock; the data is still fine to read.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Messages delivered to `chat_id` (what the user sees), in order.
    pub fn messages_to(&self, chat_id: i64) -> Vec<Call> {
        self.attempts_to(chat_id).into_iter().filter(|c| c.delivered).collect()
    }

    /// The `reply_markup` message `message_id` of `chat_id` shows now: as sent, or as an
    /// `editMessageReplyMarkup` last redrew it (what Telegram puts in a press on it).
    pub fn markup_of(&self, chat_id: i64, message_id: i64) -> Value {
        let calls = self.calls();
        let redrawn = calls.iter().rev().find(|c| {
            c.method == "editMessageReplyMarkup"
                && c.delivered
                && c.chat_id() == Some(chat_id)
                && c.params["message_id"].as_i64() == Some(message_id)
        });
        let sent = calls.iter().find(|c| c.message_id == Some(message_id) && c.chat_id() == Some(chat_id));
        redrawn.or(sent).map(|c| c.params["reply_markup"].clone()).unwrap_or(Value::Null)
    }

    /// The inline buttons (label, `callback_data`; a link's is empty) message `message_id` of
    /// `chat_id` shows now ([`FakeTelegram::markup_of`]).
    pub fn buttons_of(&self, chat_id: i64, message_id: i64) -> Vec<(String, String)> {
        buttons_in(&self.markup_of(chat_id, message_id))
    }

    /// Every `answerCallbackQuery` text, in order (a press answered without one: empty).
    pub fn press_answers(&self) -> Vec<String> {
        let calls = self.calls().into_iter().filter(|c| c.method == "answerCallbackQuery" && c.delivered);
        calls.map(|c| c.params["text"].as_str().unwrap_or_default().to_owned()).collect()
    }

    /// Every `sendMessage` to `chat_id`, refused ones included.
    pub fn attempts_to(&self, chat_id: i64) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.method == "sendMessage" && c.chat_id() == Some(chat_id)).collect()
    }

    /// The files delivered to `chat_id` by `file_id` (`sendPhoto`, `sendDocument`, an album…),
    /// in order, each with the method that carried it.
    pub fn files_to(&self, chat_id: i64) -> Vec<(String, String)> {
        let mut files = vec![];
        for call in self.calls().into_iter().filter(|c| c.delivered && c.chat_id() == Some(chat_id)) {
            match call.method.as_str() {
                "sendMediaGroup" => {
                    for media in call.params["media"].as_array().into_iter().flatten() {
                        let id = media["media"].as_str().unwrap_or_default();
                        let named = match id.strip_prefix("attach://") {
                            Some(part) => {
                                format!("upload:{}", call.params[part]["filename"].as_str().unwrap_or_default())
                            }
                            None => id.to_owned(),
                        };
                        files.push((call.method.clone(), named));
                    }
                }
                method if FILE_METHODS.iter().any(|(m, _)| *m == method) => {
                    let param = FILE_METHODS.iter().find(|(m, _)| *m == method).map(|(_, p)| *p).unwrap_or_default();
                    let value = &call.params[param];
                    let named = match value.as_str() {
                        Some(id) => id.to_owned(),
                        None => format!("upload:{}", value["filename"].as_str().unwrap_or_default()),
                    };
                    files.push((call.method.clone(), named));
                }
                _ => {}
            }
        }
        files
    }

    /// The bytes of the files uploaded to `chat_id` (not sent by `file_id`), by their names.
    pub fn uploads_to(&self, chat_id: i64) -> Vec<(String, Vec<u8>)> {
        let mut uploads = vec![];
        for call in self.calls().into_iter().filter(|c| c.delivered && c.chat_id() == Some(chat_id)) {
            for value in call.params.as_object().into_iter().flat_map(|p| p.values()) {
                if let (Some(name), Some(bytes)) = (value["filename"].as_str(), value["bytes"].as_array()) {
                    let bytes = bytes.iter().filter_map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok())).collect();
                    uploads.push((name.to_owned(), bytes));
                }
            }
        }
        uploads
    }

    pub fn texts_to(&self, chat_id: i64) -> Vec<String> {
        self.messages_to(chat_id).iter().filter_map(|c| c.text().map(str::to_owned)).collect()
    }

    pub fn clear(&self) {
        self.lock().calls.clear();
    }

    /// From now on `sendMessage` to the chat answers 403 (the user blocked the bot).
    pub fn block(&self, chat_id: i64) {
        self.lock().blocked.insert(chat_id);
    }

    /// From now on `sendMessage` to the chat answers 400 "chat not found" (the account is gone).
    pub fn delete_chat(&self, chat_id: i64) {
        self.lock().gone.insert(chat_id);
    }

    /// From now on messages to the chat are accepted and never answered.
    pub fn hang(&self, chat_id: i64) {
        self.lock().hanging.insert(chat_id);
    }

    /// Messages to the chat are answered again.
    pub fn stop_hanging(&self, chat_id: i64) {
        self.lock().hanging.remove(&chat_id);
    }

    /// From now on no call at all is answered (connections are accepted and left open).
    pub fn go_silent(&self) {
        self.lock().silent = true;
    }

    /// From now on a download answers with the start of the file and then sends nothing.
    pub fn stall_downloads(&self) {
        self.lock().stalled_downloads = true;
    }

    /// Revokes the token, as /revoke in @BotFather does: the old one answers 401 from now on.
    /// Returns the new token.
    pub fn revoke_token(&self) -> String {
        let mut token = self.token.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *token = format!("{}-new", *token);
        token.clone()
    }

    fn accepts(&self, bot: &str) -> bool {
        let token = self.token.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        bot.strip_prefix("bot") == Some(token.as_str())
    }

    /// Whether the call is to be left unanswered; such a call is recorded, undelivered.
    fn leaves_unanswered(&self, method: &str, params: &Value) -> bool {
        let mut inner = self.lock();
        let chat = params["chat_id"].as_i64().unwrap_or_default();
        let unanswered = inner.silent || (method == "sendMessage" && inner.hanging.contains(&chat));
        if unanswered {
            let call = Call {
                method: method.to_owned(),
                params: params.clone(),
                from_webhook_response: false,
                delivered: false,
                message_id: None,
            };
            inner.calls.push(call);
            self.calls_changed.notify_waiters();
        }
        unanswered
    }

    /// From now on messages beyond Telegram's flood limits are answered 429 with `retry_after`:
    /// more than `per_second` a second in all, or `per_chat` to one chat in any `chat_span`.
    pub fn enforce_flood_limits(&self, per_second: usize, per_chat: usize, chat_span: std::time::Duration) {
        let flood = Flood { per_second, per_chat, chat_span, all: VecDeque::new(), chats: HashMap::new(), refused: 0 };
        self.lock().flood = Some(flood);
    }

    /// From now on each method call is answered after `latency` (Telegram's round trip from a
    /// Lambda region: tens of milliseconds, not the loopback's one).
    pub fn set_latency(&self, latency: std::time::Duration) {
        self.lock().latency = latency;
    }

    /// What `getWebhookInfo` will report: `url` (`None`: no webhook), the updates Telegram holds
    /// for it, its last delivery error (when, what).
    pub fn set_webhook_info(&self, url: Option<&str>, pending: u32, last_error: Option<(i64, &str)>) {
        let mut inner = self.lock();
        inner.webhook = url.map(|url| json!({"url": url}));
        inner.pending_updates = pending;
        inner.webhook_error = last_error.map(|(at, what)| (at, what.to_owned()));
    }

    /// How many messages the flood limits answered 429.
    pub fn flood_refusals(&self) -> u64 {
        self.lock().flood.as_ref().map_or(0, |flood| flood.refused)
    }

    /// The next `times` messages to the chat answer 429 with `retry_after`.
    pub fn rate_limit(&self, chat_id: i64, retry_after: u32, times: u32) {
        self.lock().rate_limited.insert(chat_id, (retry_after, times));
    }

    /// Registers a file for `getFile` and download.
    pub fn add_file(&self, file_id: &str, file_path: &str, bytes: Vec<u8>) {
        self.lock().files.insert(file_id.to_owned(), FakeFile { file_path: file_path.to_owned(), bytes });
    }

    /// From now on the file is one Telegram does not have (sending it by `file_id` is refused).
    pub fn forget_file(&self, file_id: &str) {
        self.lock().files.remove(file_id);
    }

    /// Queues an update for `getUpdates` (what the simulator's user typed).
    pub fn push_update(&self, update: Value) {
        self.lock().updates.push_back(update);
        self.updates_queued.notify_waiters();
    }

    /// Records a method call that a webhook returned as its HTTP response, as Telegram would
    /// carry it out. Returns what Telegram would have answered.
    pub fn execute_webhook_response(&self, call: &Value) -> Value {
        let method = call["method"].as_str().unwrap_or_default().to_owned();
        let mut params = call.clone();
        if let Value::Object(map) = &mut params {
            map.remove("method");
        }
        self.handle(&method, params, true).1
    }

    /// Waits until at least `count` calls are recorded (or the timeout passes).
    pub async fn wait_for_calls(&self, count: usize, timeout: std::time::Duration) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.calls_changed.notified();
            let calls = self.calls();
            if calls.len() >= count || tokio::time::Instant::now() >= deadline {
                return calls;
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }

    fn handle(&self, method: &str, params: Value, from_webhook_response: bool) -> (StatusCode, Value) {
        let mut inner = self.lock();
        let answer = self.answer(&mut inner, method, &params);
        let delivered = answer.0.is_success();
        let message_id = answer.1["result"]["message_id"].as_i64().filter(|_| delivered);
        inner.calls.push(Call { method: method.to_owned(), params, from_webhook_response, delivered, message_id });
        self.calls_changed.notify_waiters();
        answer
    }

    fn answer(&self, inner: &mut Inner, method: &str, params: &Value) -> (StatusCode, Value) {
        let chat_id = params["chat_id"].as_i64();
        match method {
            "sendMessage" | "sendPhoto" | "sendDocument" | "sendVideo" | "sendAudio" | "sendVoice"
            | "sendVideoNote" | "sendMediaGroup" => {
                let chat_id = chat_id.unwrap_or_default();
                if inner.blocked.contains(&chat_id) {
                    return error(403, "Forbidden: bot was blocked by the user", None);
                }
                if inner.gone.contains(&chat_id) {
                    return error(400, "Bad Request: chat not found", None);
                }
                if let Some(retry_after) = inner.flood.as_mut().and_then(|flood| flood.admit(chat_id)) {
                    return error(429, &format!("Too Many Requests: retry after {retry_after}"), Some(retry_after));
                }
                if let Some((retry_after, times)) = inner.rate_limited.get_mut(&chat_id) {
                    if *times > 0 {
                        *times -= 1;
                        let retry_after = *retry_after;
                        return error(429, &format!("Too Many Requests: retry after {retry_after}"), Some(retry_after));
                    }
                }
                // A file sent again must be one Telegram has (one a user sent to the bot), or
                // one uploaded with the call (a part of its own, or `attach://<part>`).
                let named = |id: &Value| match id {
                    Value::String(id) => match id.strip_prefix("attach://") {
                        Some(part) => params[part]["filename"].is_string(),
                        None => inner.files.contains_key(id),
                    },
                    uploaded => uploaded["filename"].is_string(),
                };
                let sent_files: Vec<&Value> = match method {
                    "sendMediaGroup" => params["media"].as_array().into_iter().flatten().map(|m| &m["media"]).collect(),
                    _ => FILE_METHODS.iter().filter(|(m, _)| *m == method).map(|(_, p)| &params[*p]).collect(),
                };
                if !sent_files.iter().all(|id| named(id)) {
                    return error(400, "Bad Request: wrong file identifier/HTTP URL specified", None);
                }
                let message = |inner: &mut Inner| {
                    let message_id = inner.next_message_id;
                    inner.next_message_id += 1;
                    json!({
                        "message_id": message_id,
                        "date": chrono::Utc::now().timestamp(),
                        "chat": {"id": chat_id, "type": "private"},
                        "from": {"id": 1, "is_bot": true, "first_name": "Service desk bot"},
                        "text": params["text"],
                    })
                };
                if method == "sendMediaGroup" {
                    let messages: Vec<Value> = sent_files.iter().map(|_| message(inner)).collect();
                    return ok(Value::Array(messages));
                }
                ok(message(inner))
            }
            "getFile" => {
                let file_id = params["file_id"].as_str().unwrap_or_default();
                match inner.files.get(file_id) {
                    Some(file) => ok(json!({
                        "file_id": file_id,
                        "file_unique_id": format!("u-{file_id}"),
                        "file_size": file.bytes.len(),
                        "file_path": file.file_path,
                    })),
                    None => error(400, "Bad Request: invalid file_id", None),
                }
            }
            "getMe" => ok(json!({"id": 1, "is_bot": true, "first_name": "Service desk bot", "username": "desk_bot"})),
            "setWebhook" => {
                inner.webhook = Some(params.clone());
                ok(json!(true))
            }
            "deleteWebhook" => {
                inner.webhook = None;
                ok(json!(true))
            }
            "getWebhookInfo" => {
                let url = inner.webhook.as_ref().and_then(|w| w["url"].as_str()).unwrap_or_default();
                let mut info =
                    json!({"url": url, "has_custom_certificate": false, "pending_update_count": inner.pending_updates});
                if let Some((at, what)) = &inner.webhook_error {
                    info["last_error_date"] = json!(at);
                    info["last_error_message"] = json!(what);
                }
                ok(info)
            }
            _ => ok(json!(true)),
        }
    }

    fn take_updates(&self) -> Vec<Value> {
        self.lock().updates.drain(..).collect()
    }
}

/// The Bot API's methods that send one file, and the parameter naming it.
const FILE_METHODS: [(&str, &str); 6] = [
    ("sendPhoto", "photo"),
    ("sendDocument", "document"),
    ("sendVideo", "video"),
    ("sendAudio", "audio"),
    ("sendVoice", "voice"),
    ("sendVideoNote", "video_note"),
];

fn ok(result: Value) -> (StatusCode, Value) {
    (StatusCode::OK, json!({"ok": true, "result": result}))
}

fn error(code: u16, description: &str, retry_after: Option<u32>) -> (StatusCode, Value) {
    let mut body = json!({"ok": false, "error_code": code, "description": description});
    if let Some(seconds) = retry_after {
        body["parameters"] = json!({"retry_after": seconds});
    }
    (StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST), body)
}

async fn api_call(
    State(fake): State<FakeTelegram>,
    Path((bot, method)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !fake.accepts(&bot) {
        let (status, body) = error(401, "Unauthorized", None);
        return (status, Json(body)).into_response();
    }
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let params: Value = match content_type.split_once("boundary=") {
        Some((kind, boundary)) if kind.starts_with("multipart/form-data") => {
            multipart_params(&body, boundary.trim_matches('"'))
        }
        _ if body.is_empty() => json!({}),
        _ => serde_json::from_slice(&body).unwrap_or(json!({})),
    };
    if fake.leaves_unanswered(&method, &params) {
        return std::future::pending().await;
    }
    let latency = fake.lock().latency;
    tokio::time::sleep(latency).await;
    if method == "getUpdates" {
        // Long polling: wait up to `timeout` seconds for updates.
        let timeout = params["timeout"].as_u64().unwrap_or(0).min(30);
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(timeout);
        loop {
            let queued = fake.updates_queued.notified();
            let updates = fake.take_updates();
            if !updates.is_empty() || tokio::time::Instant::now() >= deadline {
                return Json(json!({"ok": true, "result": updates})).into_response();
            }
            let _ = tokio::time::timeout_at(deadline, queued).await;
        }
    }
    let (status, body) = fake.handle(&method, params, false);
    (status, Json(body)).into_response()
}

/// A multipart call's fields as JSON, as the Bot API reads them: text fields as values (numbers,
/// and `media` as the JSON it is), file parts as `{"filename", "content_type", "bytes"}` (the
/// bytes as a list, for the tests to compare).
fn multipart_params(body: &[u8], boundary: &str) -> Value {
    let delimiter = format!("--{boundary}");
    let mut params = serde_json::Map::new();
    let text = body;
    let find = |haystack: &[u8], needle: &[u8], from: usize| {
        haystack[from..].windows(needle.len()).position(|w| w == needle).map(|at| at + from)
    };
    let mut at = 0;
    while let Some(start) = find(text, delimiter.as_bytes(), at) {
        let part_start = start + delimiter.len() + 2; // past "\r\n"
        let Some(next) = find(text, delimiter.as_bytes(), part_start) else { break };
        at = next;
        if part_start >= next {
            break;
        }
        let part = &text[part_start..next.saturating_sub(2)];
        let Some(split) = find(part, b"\r\n\r\n", 0) else { continue };
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..];
        let disposition =
            head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:")).unwrap_or_default();
        let field = |key: &str| {
            disposition
                .split(';')
                .find_map(|p| p.trim().strip_prefix(&format!("{key}=\"")).map(|v| v.trim_end_matches('"').to_owned()))
        };
        let Some(name) = field("name") else { continue };
        let value = match field("filename") {
            Some(filename) => {
                let content_type = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type:").map(|v| v.trim().to_owned()));
                json!({"filename": filename, "content_type": content_type, "bytes": content})
            }
            None => {
                let text = String::from_utf8_lossy(content).to_string();
                match (name.as_str(), text.parse::<i64>()) {
                    ("media", _) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
                    (_, Ok(number)) => json!(number),
                    _ => Value::String(text),
                }
            }
        };
        params.insert(name, value);
    }
    Value::Object(params)
}

/// What Telegram answers on a path that is no Bot API method (a wrong API URL).
async fn no_such_method() -> Response {
    let (status, body) = error(404, "Not Found", None);
    (status, Json(body)).into_response()
}

async fn download(State(fake): State<FakeTelegram>, Path((bot, path)): Path<(String, String)>) -> Response {
    if !fake.accepts(&bot) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let (silent, stalled, file) = {
        let inner = fake.lock();
        (inner.silent, inner.stalled_downloads, inner.files.values().find(|f| f.file_path == path).cloned())
    };
    if silent {
        return std::future::pending().await;
    }
    match file {
        Some(file) if stalled => {
            use futures_util::StreamExt;
            let start = axum::body::Bytes::from(file.bytes[..file.bytes.len().min(4)].to_vec());
            let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(start) })
                .chain(futures_util::stream::pending());
            axum::body::Body::from_stream(body).into_response()
        }
        Some(file) => file.bytes.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
