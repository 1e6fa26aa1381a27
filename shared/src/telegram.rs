//! Telegram Bot API adapter: messages out, files in, the command list (frankenstein's
//! `client_reqwest::Bot`). Updates in are read by `crate::inbound`, leniently.

use crate::config::Secret;
use crate::dialogue::{Command, FileKind, InlineButton, Keyboard, Reply, StoredFile};
use crate::media::MAX_DOWNLOAD_BYTES;
use crate::ports::{DownloadError, FileSource, Messenger, SendError};
use crate::texts::Lang;
use frankenstein::methods::{AnswerCallbackQueryParams, EditMessageReplyMarkupParams, SendMessageParams};
use frankenstein::types::{
    BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove,
    ReplyMarkup,
};
use frankenstein::AsyncTelegramApi;
use serde_json::Value;
use std::time::Duration;

/// The update kinds the bot uses: the webhook is registered with these `allowed_updates`
/// (so Telegram does not send, and bill our Lambda for, kinds the bot ignores). Edits correct
/// the tickets and comments messages became.
pub fn allowed_updates() -> Vec<frankenstein::types::AllowedUpdate> {
    use frankenstein::types::AllowedUpdate;
    vec![
        AllowedUpdate::Message,
        AllowedUpdate::EditedMessage,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::MyChatMember,
    ]
}

/// The commands the deploy registers (`setMyCommands`), as Telegram lists them in the chat, in
/// `lang`.
pub fn bot_commands(lang: Lang) -> Vec<BotCommand> {
    Command::LISTED
        .into_iter()
        .map(|c| BotCommand::builder().command(c.name()).description(c.description(lang)).build())
        .collect()
}

/// The command lists the deploy registers, by `language_code`: the default language's for
/// everyone (no code), and each other language's for users whose Telegram speaks it.
pub fn command_lists(default: Lang) -> Vec<(Option<&'static str>, Lang)> {
    let others = Lang::ALL.into_iter().filter(|lang| *lang != default).map(|lang| (Some(lang.code()), lang));
    std::iter::once((None, default)).chain(others).collect()
}

/// The `sendMessage` parameters of a text reply.
pub fn send_message_params(chat_id: i64, text: &str, keyboard: &Keyboard) -> SendMessageParams {
    SendMessageParams::builder().chat_id(chat_id).text(text).maybe_reply_markup(markup(keyboard)).build()
}

/// The buttons a keyboard draws; `None` leaves the chat's keyboard as it is.
fn markup(keyboard: &Keyboard) -> Option<ReplyMarkup> {
    match keyboard {
        Keyboard::Keep => None,
        Keyboard::SharePhone(lang) => {
            Some(ReplyMarkup::ReplyKeyboardMarkup(reply_keyboard(vec![vec![KeyboardButton::builder()
                .text(crate::texts::BTN_SHARE_PHONE.get(*lang))
                .request_contact(true)
                .build()]])))
        }
        Keyboard::Menu(labels) => Some(ReplyMarkup::ReplyKeyboardMarkup(reply_keyboard(
            labels.iter().map(|label| vec![KeyboardButton::builder().text(*label).build()]).collect(),
        ))),
        Keyboard::Inline(rows) => Some(ReplyMarkup::InlineKeyboardMarkup(
            InlineKeyboardMarkup::builder().inline_keyboard(inline_rows(rows)).build(),
        )),
        Keyboard::Remove => {
            Some(ReplyMarkup::ReplyKeyboardRemove(ReplyKeyboardRemove::builder().remove_keyboard(true).build()))
        }
    }
}

fn reply_keyboard(rows: Vec<Vec<KeyboardButton>>) -> ReplyKeyboardMarkup {
    ReplyKeyboardMarkup::builder().keyboard(rows).resize_keyboard(true).is_persistent(true).build()
}

fn inline_rows(rows: &[Vec<InlineButton>]) -> Vec<Vec<InlineKeyboardButton>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|button| {
                    InlineKeyboardButton::builder()
                        .text(button.label.clone())
                        .callback_data(button.press.encode())
                        .build()
                })
                .collect()
        })
        .collect()
}

/// A reply as a Bot API method call `{"method": ..., ...params}`: the form a webhook may return
/// as its HTTP response so that Telegram carries it out without another request.
pub fn method_call(chat_id: i64, reply: &Reply) -> Value {
    let (method, params) = match reply {
        // Files take a call per album (the webhook answers with one call: the first).
        Reply::Files(files) => {
            return file_calls(chat_id, files).into_iter().next().map_or(Value::Null, |call| call.params)
        }
        Reply::Text { text, keyboard } => {
            ("sendMessage", serde_json::to_value(send_message_params(chat_id, text, keyboard)))
        }
        Reply::AnswerPress { press_id, text } => {
            ("answerCallbackQuery", serde_json::to_value(answer_params(press_id, text)))
        }
        Reply::Notice { html, url, keyboard, lang } => {
            ("sendMessage", serde_json::to_value(notice_params(chat_id, html, url.as_deref(), keyboard, *lang)))
        }
        Reply::SetButtons { message_id, keyboard, links } => {
            ("editMessageReplyMarkup", serde_json::to_value(buttons_params(chat_id, *message_id, keyboard, links)))
        }
    };
    // Serialising these plain structs cannot fail; an empty object would be refused by Telegram.
    let mut value = params.unwrap_or_else(|_| Value::Object(Default::default()));
    if let Value::Object(map) = &mut value {
        map.insert("method".into(), Value::String(method.into()));
    }
    value
}

/// One Bot API call that sends files: `{"method": ..., ...params}`, and the files it uploads
/// from the bucket as multipart parts (named as `params` refers to them).
#[derive(Debug, Clone, PartialEq)]
pub struct FileCall {
    pub params: Value,
    pub uploads: Vec<(String, StoredFile)>,
}

/// How a file goes to a chat: the kind Telegram gave it, else a photo for a JPEG or PNG the
/// Bot API takes as one (at most 10 MB), else a document.
fn kind_of(file: &StoredFile) -> FileKind {
    match &file.telegram {
        Some(telegram) => telegram.kind,
        None if matches!(file.content_type.as_str(), "image/jpeg" | "image/png") && file.size <= 10 << 20 => {
            FileKind::Photo
        }
        None => FileKind::Document,
    }
}

/// The calls that send `files`: those Telegram has by their `file_id`, the others uploaded from
/// the bucket. Photos and videos as albums of up to ten (`sendMediaGroup`; one alone by its own
/// method), documents likewise, audio likewise; voice messages and video notes, which no album
/// takes, one by one.
pub fn file_calls(chat_id: i64, files: &[StoredFile]) -> Vec<FileCall> {
    // The album a kind goes in (`None`: alone) and its `sendX` method and parameter.
    let album_of = |kind: FileKind| match kind {
        FileKind::Photo | FileKind::Video => Some(0),
        FileKind::Document => Some(1),
        FileKind::Audio => Some(2),
        FileKind::Voice | FileKind::VideoNote => None,
    };
    let single = |kind: FileKind| match kind {
        FileKind::Photo => ("sendPhoto", "photo"),
        FileKind::Video => ("sendVideo", "video"),
        FileKind::Document => ("sendDocument", "document"),
        FileKind::Audio => ("sendAudio", "audio"),
        FileKind::Voice => ("sendVoice", "voice"),
        FileKind::VideoNote => ("sendVideoNote", "video_note"),
    };
    let alone = |file: &StoredFile| {
        let (method, param) = single(kind_of(file));
        match &file.telegram {
            Some(telegram) => FileCall {
                params: serde_json::json!({"method": method, "chat_id": chat_id, param: telegram.file_id}),
                uploads: vec![],
            },
            None => FileCall {
                params: serde_json::json!({"method": method, "chat_id": chat_id}),
                uploads: vec![(param.to_owned(), file.clone())],
            },
        }
    };
    let mut calls = vec![];
    for album in [Some(0), Some(1), Some(2)] {
        let members: Vec<&StoredFile> = files.iter().filter(|f| album_of(kind_of(f)) == album).collect();
        for chunk in members.chunks(10) {
            if let [file] = chunk {
                calls.push(alone(file));
                continue;
            }
            let mut uploads = vec![];
            let media: Vec<Value> = chunk
                .iter()
                .map(|file| {
                    let media = match &file.telegram {
                        Some(telegram) => telegram.file_id.clone(),
                        None => {
                            let part = format!("file{}", uploads.len());
                            uploads.push((part.clone(), (*file).clone()));
                            format!("attach://{part}")
                        }
                    };
                    serde_json::json!({"type": single(kind_of(file)).1, "media": media})
                })
                .collect();
            let params = serde_json::json!({"method": "sendMediaGroup", "chat_id": chat_id, "media": media});
            calls.push(FileCall { params, uploads });
        }
    }
    calls.extend(files.iter().filter(|f| album_of(kind_of(f)).is_none()).map(alone));
    calls
}

/// A notification: HTML parse mode; the keyboard it sets (a client's menu), or else a URL
/// button for `https` links (a message has one `reply_markup`).
pub fn notice_params(
    chat_id: i64,
    html: &str,
    url: Option<&str>,
    keyboard: &Keyboard,
    lang: Lang,
) -> SendMessageParams {
    let link = url.filter(|u| u.starts_with("https://")).map(|url| {
        vec![InlineKeyboardButton::builder().text(crate::texts::BTN_OPEN_TICKET.get(lang)).url(url).build()]
    });
    // Inline buttons (a staff notice's «📋 Карточка») share the message with the link's button.
    let reply_markup = match (keyboard, link) {
        (Keyboard::Inline(rows), Some(link)) => {
            let mut rows = inline_rows(rows);
            rows.push(link);
            Some(ReplyMarkup::InlineKeyboardMarkup(InlineKeyboardMarkup::builder().inline_keyboard(rows).build()))
        }
        (keyboard, link) => markup(keyboard).or(link.map(|link| {
            ReplyMarkup::InlineKeyboardMarkup(InlineKeyboardMarkup::builder().inline_keyboard(vec![link]).build())
        })),
    };
    SendMessageParams::builder()
        .chat_id(chat_id)
        .text(html)
        .parse_mode(frankenstein::ParseMode::Html)
        .maybe_reply_markup(reply_markup)
        .build()
}

fn answer_params(press_id: &str, text: &Option<String>) -> AnswerCallbackQueryParams {
    AnswerCallbackQueryParams::builder().callback_query_id(press_id).maybe_text(text.clone()).build()
}

/// `editMessageReplyMarkup` of one of the bot's messages: the inline buttons of `keyboard`
/// (none when it is not inline), then each link (label, URL) in a row of its own.
fn buttons_params(
    chat_id: i64,
    message_id: i64,
    keyboard: &Keyboard,
    links: &[(String, String)],
) -> EditMessageReplyMarkupParams {
    let mut rows = match keyboard {
        Keyboard::Inline(rows) => inline_rows(rows),
        _ => vec![],
    };
    rows.extend(links.iter().map(|(label, url)| vec![InlineKeyboardButton::builder().text(label).url(url).build()]));
    let markup = (!rows.is_empty()).then(|| InlineKeyboardMarkup::builder().inline_keyboard(rows).build());
    EditMessageReplyMarkupParams::builder()
        .chat_id(chat_id)
        .message_id(i32::try_from(message_id).unwrap_or(i32::MAX))
        .maybe_reply_markup(markup)
        .build()
}

/// How long a call to Telegram may take, so that a silent Telegram cannot hold an invocation:
/// each request gives up after these, and the caller sees a timeout like any other failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open a connection.
    pub connect: Duration,
    /// A whole Bot API call (`sendMessage`, `getFile`, `setWebhook`, ...), and the longest pause
    /// between two reads of any answer, downloads included.
    pub call: Duration,
    /// A whole file download (up to [`MAX_DOWNLOAD_BYTES`]).
    pub download: Duration,
}

impl Default for Timeouts {
    /// For the functions (webhook and registrar time out after 30 s, the notifier after 60 s,
    /// template.yaml): a Bot API call takes well under a second, so after 5 s Telegram is in
    /// trouble and the caller hands the work back (the notifier's record, the webhook's
    /// update). A file (getFile, then up to 20 MB) takes at most 5 + 12 s: over half of the
    /// webhook's 30 s stays for S3, DynamoDB and the replies; a download that stalls for 5 s
    /// ends then.
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(3), call: Duration::from_secs(5), download: Duration::from_secs(12) }
    }
}

/// TLS for the Bot API with the root certificates compiled into the binary (Mozilla's, from
/// `webpki-roots`): building the client parses no certificate files, which the system's roots
/// (read from `/etc/ssl` and parsed one by one) cost at every cold start.
fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Sends through the Bot API. The token is only in the client's base URL, which frankenstein
/// strips from its errors, and in the download path; `Debug` shows neither.
#[derive(Clone)]
pub struct TelegramMessenger {
    bot: frankenstein::client_reqwest::Bot,
    api_url: String,
    /// In the path of file downloads; never logged, and cut out of any answer's text.
    token: Secret,
    /// Where the files notices carry are read from, when Telegram does not have them.
    #[cfg(feature = "s3")]
    bucket: Option<crate::s3::S3Files>,
    timeouts: Timeouts,
}

impl TelegramMessenger {
    /// `api_url` is the Bot API base (`https://api.telegram.org` or a fake's address); the
    /// client has the [`Timeouts::default`]. Panics, as `reqwest::Client::new` does, when the
    /// TLS backend cannot be initialised; [`Self::with_timeouts`] returns that error instead.
    pub fn new(api_url: &str, token: &str) -> Self {
        match Self::with_timeouts(api_url, token, Timeouts::default()) {
            Ok(messenger) => messenger,
            Err(error) => panic!("the HTTP client for Telegram cannot be built: {error}"),
        }
    }

    /// A messenger whose every request gives up after `timeouts`.
    pub fn with_timeouts(api_url: &str, token: &str, timeouts: Timeouts) -> Result<Self, reqwest::Error> {
        let api_url = api_url.trim_end_matches('/').to_owned();
        let builder = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.call)
            .read_timeout(timeouts.call);
        let client = match tls_config() {
            Ok(tls) => builder.tls_backend_preconfigured(tls),
            Err(error) => {
                tracing::warn!(%error, "the built-in TLS roots could not be set up; the system's are loaded");
                builder
            }
        }
        .build()?;
        Ok(TelegramMessenger {
            bot: frankenstein::client_reqwest::Bot::builder()
                .api_url(format!("{api_url}/bot{token}"))
                .client(client)
                .build(),
            api_url,
            token: Secret::new(token),
            timeouts,
            #[cfg(feature = "s3")]
            bucket: None,
        })
    }

    pub fn bot(&self) -> &frankenstein::client_reqwest::Bot {
        &self.bot
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The failure with the token cut out of the texts it carries: whatever answers at a wrong
    /// URL may echo the request's path (`Cannot POST /bot<token>/sendMessage`).
    fn redacted(&self, error: SendError) -> SendError {
        let cut = |text: String| text.replace(self.token.expose(), "***");
        match error {
            SendError::Refused { status, description } => SendError::Refused { status, description: cut(description) },
            SendError::BadAnswer(text) => SendError::BadAnswer(cut(text)),
            other => other,
        }
    }
}

impl std::fmt::Debug for TelegramMessenger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramMessenger").field("api_url", &self.api_url).field("token", &"***").finish()
    }
}

impl TelegramMessenger {
    /// Every call of [`file_calls`], in order; the id of the first message made. A failed call
    /// fails the whole (the notice is retried, or kept, as any other).
    async fn send_files(&self, chat_id: i64, files: &[StoredFile]) -> Result<Option<i64>, frankenstein::Error> {
        let mut first = None;
        for FileCall { mut params, uploads } in file_calls(chat_id, files) {
            let method = params.as_object_mut().and_then(|c| c.remove("method"));
            let method = method.as_ref().and_then(Value::as_str).unwrap_or("sendDocument").to_owned();
            let answer: frankenstein::response::MethodResponse<Value> = if uploads.is_empty() {
                self.bot.request(&method, Some(params)).await?
            } else {
                self.upload(&method, params, uploads).await?
            };
            // One message, or an album's messages.
            let made = match &answer.result {
                Value::Array(messages) => messages.first().and_then(|m| m["message_id"].as_i64()),
                message => message["message_id"].as_i64(),
            };
            first = first.or(made);
        }
        Ok(first)
    }

    /// A call with files from the bucket as multipart parts, each streamed from S3 as it is
    /// sent (never whole in memory).
    async fn upload(
        &self,
        method: &str,
        params: Value,
        uploads: Vec<(String, StoredFile)>,
    ) -> Result<frankenstein::response::MethodResponse<Value>, frankenstein::Error> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in params.as_object().into_iter().flatten() {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            form = form.text(name.clone(), text);
        }
        for (part, file) in uploads {
            let (length, body) = self.open(&file.key).await?;
            // A type that does not parse is sent as plain bytes, never as an empty part.
            let content_type: &str = if file.content_type.parse::<reqwest::header::HeaderValue>().is_ok()
                && file.content_type.contains('/')
            {
                &file.content_type
            } else {
                "application/octet-stream"
            };
            let stream = reqwest::multipart::Part::stream_with_length(body, length)
                .file_name(file.name.clone())
                .mime_str(content_type)
                .map_err(frankenstein::Error::HttpReqwest)?;
            form = form.part(part, stream);
        }
        let url = format!("{}/{method}", self.bot.api_url);
        // Up to 50 MB on its way: twice a download's time (24 s as deployed), not a call's 5 s.
        let request = self.bot.client.post(url).multipart(form).timeout(self.timeouts.download * 2);
        let response = request.send().await.map_err(frankenstein::Error::HttpReqwest)?;
        let text = response.text().await.map_err(frankenstein::Error::HttpReqwest)?;
        match serde_json::from_str::<frankenstein::response::MethodResponse<Value>>(&text) {
            Ok(answer) => Ok(answer),
            Err(_) => match serde_json::from_str::<frankenstein::response::ErrorResponse>(&text) {
                Ok(refusal) => Err(frankenstein::Error::Api(refusal)),
                Err(source) => Err(frankenstein::Error::JsonDecode { source, input: text }),
            },
        }
    }

    /// A bucket object's length and its bytes as a stream.
    #[cfg(feature = "s3")]
    async fn open(&self, key: &str) -> Result<(u64, reqwest::Body), frankenstein::Error> {
        let unreadable = |why: String| {
            frankenstein::Error::Api(frankenstein::response::ErrorResponse {
                ok: false,
                // Not Telegram's refusal: a 503 of ours, so the notice is kept and tried again.
                description: format!("the attachment could not be read: {why}"),
                error_code: 503,
                parameters: None,
            })
        };
        let Some(bucket) = &self.bucket else { return Err(unreadable("no bucket configured".into())) };
        let (length, body) = bucket.open(key).await.map_err(|e| unreadable(e.to_string()))?;
        let chunks = futures_util::stream::unfold(body, |mut body| async move {
            body.next().await.map(|chunk| (chunk.map_err(|e| Box::new(e) as crate::ports::BoxError), body))
        });
        Ok((length, reqwest::Body::wrap_stream(chunks)))
    }

    #[cfg(not(feature = "s3"))]
    async fn open(&self, _key: &str) -> Result<(u64, reqwest::Body), frankenstein::Error> {
        Err(frankenstein::Error::Api(frankenstein::response::ErrorResponse {
            ok: false,
            description: "the attachment could not be read: built without the bucket".into(),
            error_code: 503,
            parameters: None,
        }))
    }

    /// Files of the bucket that notices carry are read from `bucket`.
    #[cfg(feature = "s3")]
    pub fn with_bucket(mut self, bucket: crate::s3::S3Files) -> Self {
        self.bucket = Some(bucket);
        self
    }
}

impl Messenger for TelegramMessenger {
    async fn send(&self, chat_id: i64, reply: &Reply) -> Result<Option<i64>, SendError> {
        let made = |response: frankenstein::response::MethodResponse<frankenstein::types::Message>| {
            Some(i64::from(response.result.message_id))
        };
        let result = match reply {
            Reply::Text { text, keyboard } => {
                self.bot.send_message(&send_message_params(chat_id, text, keyboard)).await.map(made)
            }
            Reply::AnswerPress { press_id, text } => {
                self.bot.answer_callback_query(&answer_params(press_id, text)).await.map(|_| None)
            }
            Reply::Notice { html, url, keyboard, lang } => {
                self.bot.send_message(&notice_params(chat_id, html, url.as_deref(), keyboard, *lang)).await.map(made)
            }
            Reply::Files(files) => self.send_files(chat_id, files).await,
            Reply::SetButtons { message_id, keyboard, links } => {
                let params = buttons_params(chat_id, *message_id, keyboard, links);
                self.bot.edit_message_reply_markup(&params).await.map(|_| None)
            }
        };
        result.map_err(|error| self.redacted(classify(error)))
    }

    fn render(&self, chat_id: i64, reply: &Reply) -> String {
        method_call(chat_id, reply).to_string()
    }
}

impl FileSource for TelegramMessenger {
    /// `getFile`, then `GET {api}/file/bot<token>/<file_path>`.
    async fn download(&self, file_id: &str) -> Result<Vec<u8>, DownloadError> {
        let params = frankenstein::methods::GetFileParams::builder().file_id(file_id).build();
        let file = match self.bot.get_file(&params).await {
            Ok(response) => response.result,
            // "file is too big" is a 400 for files over the bots' download limit.
            Err(frankenstein::Error::Api(e)) if e.error_code == 400 && e.description.contains("too big") => {
                return Err(DownloadError::TooLarge);
            }
            // An invalid or expired `file_id`: asking again gets the same answer.
            Err(frankenstein::Error::Api(e)) if e.error_code == 400 => {
                return Err(DownloadError::Refused(e.description))
            }
            Err(error) => return Err(DownloadError::Unavailable(Box::new(error))),
        };
        // No path for a small file is a refusal, not a size: only a file over the limit is "too large".
        let path = match file.file_path {
            Some(path) => path,
            None if file.file_size.is_some_and(|size| size <= crate::media::MAX_DOWNLOAD_BYTES) => {
                return Err(DownloadError::Refused("getFile answered without a file path".into()))
            }
            None => return Err(DownloadError::TooLarge),
        };
        let url = format!("{}/file/bot{}/{path}", self.api_url, self.token.expose());
        let response = self
            .bot
            .client
            .get(url)
            .timeout(self.timeouts.download)
            .send()
            .await
            .map_err(|e| DownloadError::Unavailable(Box::new(e.without_url())))?;
        let status = response.status();
        if status.is_client_error() {
            return Err(DownloadError::Refused(format!("file download answered {status}")));
        }
        if !status.is_success() {
            return Err(DownloadError::Unavailable(format!("file download answered {status}").into()));
        }
        // The file is read into one buffer of the size announced (by the response, else by
        // getFile), so that it is held once: collecting the body and copying it out held it
        // twice, and a buffer grown by doubling holds up to twice its content while it moves.
        let announced = response.content_length().or(file.file_size).unwrap_or(0);
        if announced > MAX_DOWNLOAD_BYTES {
            return Err(DownloadError::TooLarge);
        }
        let mut bytes = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        let mut response = response;
        while let Some(chunk) =
            response.chunk().await.map_err(|e| DownloadError::Unavailable(Box::new(e.without_url())))?
        {
            if (bytes.len() + chunk.len()) as u64 > MAX_DOWNLOAD_BYTES {
                return Err(DownloadError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

/// Sorts Bot API failures by what a caller should do about them. Only 403 and 400 "chat not
/// found" are final; everything else may pass (see [`SendError`]).
pub fn classify(error: frankenstein::Error) -> SendError {
    match error {
        frankenstein::Error::Api(response) => match response.error_code {
            403 => SendError::Blocked,
            400 if response.description.contains("chat not found") => SendError::ChatNotFound,
            429 => SendError::RetryAfter(response.parameters.and_then(|p| p.retry_after).map_or(1, u32::from)),
            status => SendError::Refused {
                status: u16::try_from(status).unwrap_or(u16::MAX),
                description: response.description,
            },
        },
        frankenstein::Error::HttpReqwest(error) if error.is_timeout() => SendError::TimedOut,
        frankenstein::Error::HttpReqwest(error) => SendError::Unavailable(Box::new(error)),
        // Not JSON, or JSON of another shape: its text may be a whole page; a line is enough.
        frankenstein::Error::JsonDecode { input, .. } => {
            SendError::BadAnswer(input.chars().take(200).collect::<String>().replace('\n', " "))
        }
        other => SendError::Unavailable(Box::new(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialogue::Press;

    fn api_error(code: u64, description: &str, retry_after: Option<u16>) -> frankenstein::Error {
        frankenstein::Error::Api(frankenstein::response::ErrorResponse {
            ok: false,
            description: description.into(),
            error_code: code,
            parameters: retry_after.map(|seconds| frankenstein::response::ResponseParameters {
                migrate_to_chat_id: None,
                retry_after: Some(seconds),
            }),
        })
    }

    #[test]
    fn only_a_block_and_a_lost_chat_are_final() {
        let final_ones = [
            classify(api_error(403, "Forbidden: bot was blocked by the user", None)),
            classify(api_error(400, "Bad Request: chat not found", None)),
        ];
        assert!(matches!(final_ones, [SendError::Blocked, SendError::ChatNotFound]), "{final_ones:?}");
        assert!(final_ones.iter().all(SendError::is_final));
        for (code, description) in [
            (401, "Unauthorized"),
            (404, "Not Found"),
            (400, "Bad Request: can't parse entities"),
            (409, "Conflict: terminated by other getUpdates request"),
            (500, "Internal Server Error"),
            (502, "Bad Gateway"),
        ] {
            let error = classify(api_error(code, description, None));
            assert!(
                matches!(&error, SendError::Refused { status, description: d } if u64::from(*status) == code && d == description),
                "{code}: {error:?}"
            );
            assert!(!error.is_final(), "{code} may pass");
        }
        assert!(matches!(classify(api_error(429, "Too Many Requests", Some(35))), SendError::RetryAfter(35)));
        assert!(matches!(classify(api_error(429, "Too Many Requests", None)), SendError::RetryAfter(1)));
    }

    #[test]
    fn an_answer_that_is_not_the_bot_apis_is_a_bad_answer_without_the_token() {
        let page = "<html><body>Cannot POST /bot123:SECRET-token/sendMessage</body></html>".repeat(10);
        let source = serde_json::from_str::<Value>(&page).unwrap_err();
        let error = classify(frankenstein::Error::JsonDecode { source, input: page });
        assert!(matches!(&error, SendError::BadAnswer(text) if text.chars().count() == 200), "{error:?}");
        assert!(!error.is_final());
        let messenger = TelegramMessenger::new("http://127.0.0.1:9", "123:SECRET-token");
        let redacted = messenger.redacted(error).to_string();
        assert!(!redacted.contains("SECRET") && redacted.contains("/bot***/sendMessage"), "{redacted}");
        assert!(!format!("{messenger:?}").contains("SECRET"));
    }

    #[test]
    fn a_notice_sets_the_clients_menu_or_else_carries_its_link() {
        let link = Some("https://desk.example.com/tickets/7".to_owned());
        let menu = crate::dialogue::main_menu(crate::domain::TicketCounts { active: 0, completed: 1 }, Lang::Ru);
        let notice =
            |html: &str, url: Option<String>, keyboard, lang| Reply::Notice { html: html.into(), url, keyboard, lang };
        let to_client = method_call(42, &notice("<b>x</b>", link.clone(), menu, Lang::Ru));
        assert_eq!(to_client["parse_mode"], "HTML");
        assert_eq!(to_client["reply_markup"]["keyboard"][2][0]["text"], crate::texts::BTN_QUESTION_DONE.ru);
        assert!(to_client["reply_markup"].get("inline_keyboard").is_none(), "one reply_markup a message");
        let to_staff = method_call(7, &notice("x", link.clone(), Keyboard::Keep, Lang::Ru));
        assert_eq!(to_staff["reply_markup"]["inline_keyboard"][0][0]["url"], "https://desk.example.com/tickets/7");
        assert_eq!(to_staff["reply_markup"]["inline_keyboard"][0][0]["text"], crate::texts::BTN_OPEN_TICKET.ru);
        let in_english = method_call(7, &notice("x", link.clone(), Keyboard::Keep, Lang::En));
        assert_eq!(in_english["reply_markup"]["inline_keyboard"][0][0]["text"], crate::texts::BTN_OPEN_TICKET.en);
        // Inline buttons (a staff notice's card) come first, the link's button after them.
        let card = Keyboard::Inline(vec![vec![crate::dialogue::InlineButton::new(
            crate::texts::BTN_CARD.ru,
            crate::dialogue::Press::Card(7),
        )]]);
        let with_card = method_call(7, &notice("x", link, card, Lang::Ru));
        assert_eq!(with_card["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "cd:7");
        assert_eq!(with_card["reply_markup"]["inline_keyboard"][1][0]["url"], "https://desk.example.com/tickets/7");
    }

    #[test]
    fn the_listed_commands_are_start_menu_tickets_help_and_language_in_each_language() {
        assert_eq!(command_lists(Lang::En), [(None, Lang::En), (Some("ru"), Lang::Ru)]);
        for (code, lang) in command_lists(Lang::Ru) {
            let commands = serde_json::to_value(bot_commands(lang)).unwrap();
            let names: Vec<&str> =
                commands.as_array().unwrap().iter().map(|c| c["command"].as_str().unwrap()).collect();
            assert_eq!(names, ["start", "menu", "tickets", "help", "language"]);
            for command in commands.as_array().unwrap() {
                let description = command["description"].as_str().unwrap();
                assert!((1..=256).contains(&description.chars().count()));
                let russian = description.chars().any(|c| ('а'..='я').contains(&c));
                assert_eq!(russian, lang == Lang::Ru, "{description}");
            }
            assert_eq!(code.is_none(), lang == Lang::Ru, "Russian for everyone, English for English speakers");
        }
    }

    #[test]
    fn a_reply_becomes_a_webhook_method_call() {
        let reply = Reply::Text { text: "Привет".into(), keyboard: Keyboard::SharePhone(Lang::En) };
        let call = method_call(42, &reply);
        assert_eq!(call["method"], "sendMessage");
        assert_eq!(call["chat_id"], 42);
        assert_eq!(call["reply_markup"]["keyboard"][0][0]["request_contact"], true);
        assert_eq!(call["reply_markup"]["keyboard"][0][0]["text"], crate::texts::BTN_SHARE_PHONE.en);
        let choice = vec![vec![InlineButton::new("Ромашка", Press::ChooseCompany("c1".into()))]];
        let inline = method_call(42, &Reply::Text { text: "?".into(), keyboard: Keyboard::Inline(choice) });
        assert_eq!(inline["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "co:c1");
        let answer = method_call(42, &Reply::AnswerPress { press_id: "q".into(), text: None });
        assert_eq!(answer["method"], "answerCallbackQuery");
        assert_eq!(answer["callback_query_id"], "q");
    }

    #[test]
    fn files_go_as_albums_of_their_kinds_and_the_rest_one_by_one() {
        use crate::dialogue::TelegramFile;
        let known = |id: &str, kind| StoredFile {
            name: format!("{id}.bin"),
            content_type: "application/octet-stream".into(),
            size: 10,
            key: format!("files/{id}"),
            telegram: Some(TelegramFile { file_id: id.into(), kind, name: format!("{id}.bin") }),
        };
        let stored = |name: &str, content_type: &str| StoredFile {
            name: name.into(),
            content_type: content_type.into(),
            size: 10,
            key: format!("api/{name}"),
            telegram: None,
        };
        let mut files =
            vec![known("p1", FileKind::Photo), known("d1", FileKind::Document), known("v1", FileKind::Voice)];
        files.extend((2..=9).map(|i| known(&format!("p{i}"), FileKind::Photo)));
        files.push(stored("after.jpg", "image/jpeg"));
        files.push(known("vid", FileKind::Video));
        files.push(stored("act.pdf", "application/pdf"));
        let calls = file_calls(42, &files);
        let methods: Vec<&str> = calls.iter().map(|c| c.params["method"].as_str().unwrap()).collect();
        assert_eq!(methods, ["sendMediaGroup", "sendVideo", "sendMediaGroup", "sendVoice"]);
        assert_eq!(calls[0].params["media"].as_array().unwrap().len(), 10, "ten to an album");
        assert_eq!(calls[0].params["media"][0], serde_json::json!({"type": "photo", "media": "p1"}));
        assert_eq!(calls[0].params["media"][9], serde_json::json!({"type": "photo", "media": "attach://file0"}));
        assert_eq!(calls[0].uploads, [("file0".to_owned(), stored("after.jpg", "image/jpeg"))], "uploaded, not by id");
        assert_eq!(calls[1].params["video"], "vid", "the eleventh alone");
        assert_eq!(calls[2].params["media"][1], serde_json::json!({"type": "document", "media": "attach://file0"}));
        assert_eq!(calls[3].params["voice"], "v1", "a voice message in no album");
        let single = file_calls(7, &[stored("act.pdf", "application/pdf")]);
        assert_eq!(single[0].params, serde_json::json!({"method": "sendDocument", "chat_id": 7}));
        assert_eq!(single[0].uploads[0].0, "document", "the file is the method's own part");
    }
}
