//! The Telegram webhook: where an update enters.
//!
//! `X-Telegram-Bot-Api-Secret-Token` is checked first (401 with nothing read or written), the
//! body parsed leniently (400 if it is not an update; 200 and ignored for kinds the bot does not
//! use, and for private-chat updates without what it needs, counted),
//! then [`shared::app::Bot::answer`] decides and commits. Its last reply is returned as the HTTP
//! response, a Bot API call Telegram carries out itself. 500 only when nothing was committed and
//! a redelivery may succeed; a failure no redelivery can get past (or the third of one update)
//! is answered 200 with a sentence that tells the client what was not taken.

use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use shared::app::{Bot, Verdict};
use shared::config::{Secret, WebhookConfig};
use shared::dialogue::DialogueSettings;
use shared::dynamo::DynamoStore;
use shared::inbound::{parse_update, Parsed};
use shared::observability::{count, Metric};
use shared::s3::S3Files;
use shared::telegram::{self, TelegramMessenger};

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

pub struct Webhook {
    pub bot: Bot<DynamoStore, TelegramMessenger, S3Files>,
    secret: Secret,
}

/// A webhook answer before it becomes HTTP.
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Option<Value>,
}

impl Webhook {
    /// Wires the webhook from configuration and AWS clients (built once per container).
    pub fn new(config: &WebhookConfig, dynamodb: shared::dynamo::DynamoClient, s3: shared::s3::S3Client) -> Self {
        let store = DynamoStore::new(dynamodb, &config.bot_table, &config.tickets_table);
        let messenger = TelegramMessenger::new(&config.telegram_api_url, config.telegram_bot_token.expose());
        let settings = DialogueSettings {
            support_phone: config.support_phone.clone(),
            phone_region: config.default_phone_region,
            timezone: config.timezone.clone(),
            hours: config.working_hours.clone(),
            default_lang: config.default_language,
        };
        let files = S3Files::new(s3, &config.attachments_bucket);
        Webhook { bot: Bot { store, messenger, files, settings }, secret: config.telegram_secret_token.clone() }
    }

    /// The Lambda handler: HTTP in, HTTP out.
    pub async fn handler(&self, request: Request) -> Result<Response<Body>, lambda_http::Error> {
        use lambda_http::RequestExt;
        use tracing::Instrument;
        let request_id = request.lambda_context_ref().map(|c| c.request_id.clone()).unwrap_or_default();
        let secret = request.headers().get(SECRET_HEADER).map(|v| v.as_bytes());
        let answer = self
            .answer(secret, request.body().as_ref(), chrono::Utc::now())
            .instrument(tracing::info_span!("webhook", request_id))
            .await;
        let body = answer.body.map_or(Body::Empty, |b| Body::Text(b.to_string()));
        Ok(Response::builder().status(answer.status).header("content-type", "application/json").body(body)?)
    }

    /// Checks the secret, parses the update and runs it through the bot.
    pub async fn answer(&self, secret: Option<&[u8]>, body: &[u8], now: chrono::DateTime<chrono::Utc>) -> Answer {
        if !secret.is_some_and(|s| self.secret.matches(s)) {
            tracing::warn!("webhook call without the right secret token refused");
            return Answer { status: 401, body: Some(json!({"error": "unauthorized"})) };
        }
        self.answer_update(body, now).await
    }

    /// Runs an already authenticated update body (the local long-polling runner enters here).
    pub async fn answer_update(&self, body: &[u8], now: chrono::DateTime<chrono::Utc>) -> Answer {
        let inbound = match parse_update(body) {
            Parsed::Inbound(inbound) => inbound,
            Parsed::Ignored { update_id, why } => {
                tracing::info!(update_id, why, "update ignored");
                return Answer { status: 200, body: None };
            }
            Parsed::Incomplete { update_id, why } => {
                // A redelivery would carry no more: 200, and a count to notice a new shape by.
                tracing::warn!(update_id, why, "update without what the bot needs; ignored");
                count(Metric::UpdatesIncomplete, 1);
                return Answer { status: 200, body: None };
            }
            Parsed::Malformed(reason) => {
                tracing::warn!(%reason, "webhook body is not a Telegram update");
                return Answer { status: 400, body: Some(json!({"error": "not a Telegram update"})) };
            }
        };
        let span = tracing::info_span!("update", update_id = inbound.update_id);
        match tracing::Instrument::instrument(self.bot.answer(&inbound, now), span).await {
            Verdict::Done(handled) => {
                count(Metric::UpdatesHandled, 1);
                // A redelivery answers what the first delivery answered (that answer may be lost).
                let replayed = handled.replayed.and_then(|body| serde_json::from_str(&body).ok());
                let reply = handled.respond_with.map(|reply| telegram::method_call(inbound.chat_id, &reply));
                Answer { status: 200, body: reply.or(replayed) }
            }
            Verdict::Retry(error) => {
                count(Metric::UpdatesFailed, 1);
                tracing::error!(update_id = inbound.update_id, %error, source = ?std::error::Error::source(&error), "update failed; Telegram will redeliver");
                Answer { status: 500, body: Some(json!({"error": "temporarily unavailable"})) }
            }
            Verdict::GiveUp { error, reply } => {
                count(Metric::UpdatesRejected, 1);
                tracing::error!(update_id = inbound.update_id, %error, source = ?std::error::Error::source(&error), "update not taken; the client was told");
                Answer { status: 200, body: Some(telegram::method_call(inbound.chat_id, &reply)) }
            }
        }
    }
}
