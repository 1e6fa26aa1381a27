//! Delivering notices and recording what became of each: the one sending path of the notifier
//! ([`super::Dispatcher`]) and of the replay ([`Courier::replay`]).
//!
//! - delivered: its `SENT#` marker is written, its kept copy forgotten and its messages
//!   remembered as about its ticket (one write), a call-me request marked notified;
//! - 403: the recipient is marked unreachable; 400 "chat not found": settled. Neither is ever
//!   marked sent;
//! - anything else stops delivery: the notice, and what was owed after it, are kept (`FAILED#`)
//!   with the reason, for a later attempt or the replay.

use super::{escape, split_message, FailedNotice, FailureReason, Outgoing, Pacer};
use crate::dialogue::{main_menu, rating_buttons, Keyboard, Reply};
use crate::domain::{Person, TelegramUserId};
use crate::observability::{count, count_by_reason, Metric};
use crate::ports::{
    CallMeRequests, Deliveries, FailedNotices, MessageTickets, Messenger, SendError, SentNotices, StoreError, UserStore,
};
use crate::texts;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::time::Duration;

/// Time kept back for keeping what a batch did not deliver: the 25 records of a batch owe at
/// most some 200 DynamoDB requests.
pub const TIME_TO_KEEP: Duration = Duration::from_secs(5);

/// Time kept back for answering the Lambda service: keeping stops when this is all that is left.
pub const TIME_TO_ANSWER: Duration = Duration::from_secs(1);

/// The [`Courier::reserve`] for a messenger whose calls give up after `call_timeout`.
pub fn reserve_for(call_timeout: Duration) -> Duration {
    call_timeout + TIME_TO_KEEP
}

/// Sends notices and records what became of each.
pub struct Courier<S, M> {
    pub store: S,
    pub messenger: M,
    /// Time kept back from the deadline: a send starts only with more than this left, and a 429
    /// is waited out only until this much is left. It covers one send timing out and the keeping
    /// of what was not delivered ([`reserve_for`]).
    pub reserve: Duration,
    /// Telegram's flood limits, kept for every message this instance sends.
    pub pacer: Pacer,
}

/// What became of a notice that did not stop delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Delivered,
    /// Final without reaching the chat (blocked, chat gone).
    Undeliverable(FailureReason),
}

/// Why delivery stopped: what was not delivered may go through later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub reason: FailureReason,
    pub detail: String,
}

impl Stop {
    /// The store failed: counted here, once per stop.
    pub fn storage(error: StoreError) -> Self {
        count_by_reason(Metric::NotificationsFailed, FailureReason::Storage.code(), 1);
        Stop { reason: FailureReason::Storage, detail: describe(&error) }
    }
}

/// An error with its sources, `: `-separated (reqwest's own text is only "error sending request").
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Why [`Courier::send`] did not get a notice through.
enum Unsent {
    Telegram(SendError),
    /// No part is started with only the reserve left.
    OutOfTime,
}

/// What a replay did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    /// Sent now.
    pub delivered: usize,
    /// Sent before by a retry of its record: forgotten without sending.
    pub delivered_before: usize,
    /// Settled without reaching the chat (blocked, chat gone, recipient unreachable): forgotten.
    pub undeliverable: usize,
    /// Tried and failed again: kept, with the new reason.
    pub failed: Vec<FailedNotice>,
    /// Not sent: the account is no longer its person's (they were deactivated, unlinked, or
    /// linked another account since the notice failed): forgotten.
    pub recipient_gone: usize,
    /// Not tried: after a failure that is not about one message (Telegram down, a revoked token,
    /// no time left), or behind a failed notice to the same chat (its order is kept).
    pub not_tried: usize,
}

/// The messages of a notice: its files, or its text (split when long) with the buttons on the
/// last part: a client's notice carries their menu (a message has one set of buttons: the card
/// comes from a reply to it), a request to rate its score buttons; a staff notice about a ticket
/// its staff buttons and «📋 Карточка».
fn replies_of(notice: &Outgoing) -> Vec<Reply> {
    if !notice.files.is_empty() {
        return vec![Reply::Files(notice.files.clone())];
    }
    let parts = split_message(&notice.html);
    let last = parts.len().saturating_sub(1);
    let buttons = |i: usize| match (i == last, notice.menu, notice.rate, notice.ticket) {
        (true, _, Some(rated), _) => (None, rating_buttons(rated)),
        (true, Some(counts), None, _) => (notice.url.clone(), main_menu(counts, notice.lang)),
        (true, None, None, Some(ticket)) => {
            (notice.url.clone(), crate::dialogue::staff_keyboard(ticket, &notice.actions, notice.lang))
        }
        (true, None, None, None) => (notice.url.clone(), Keyboard::Keep),
        (false, ..) => (None, Keyboard::Keep),
    };
    let notice_part = |(i, html): (usize, String)| {
        let (url, keyboard) = buttons(i);
        Reply::Notice { html, url, keyboard, lang: notice.lang }
    };
    parts.into_iter().enumerate().map(notice_part).collect()
}

impl<S, M> Courier<S, M>
where
    S: UserStore + CallMeRequests + SentNotices + FailedNotices + MessageTickets + Deliveries,
    M: Messenger,
{
    /// Sends a notice and records the outcome. `Err` when it may go through later: nothing is
    /// recorded for it then (the caller keeps it).
    pub async fn deliver(
        &self,
        notice: &Outgoing,
        remaining: &impl Fn() -> Duration,
        now: DateTime<Utc>,
    ) -> Result<Settled, Stop> {
        let error = match self.send(notice, remaining).await {
            Ok(messages) => {
                count(Metric::NotificationsSent, 1);
                self.record_delivery(notice, now, &messages).await.map_err(Stop::storage)?;
                return Ok(Settled::Delivered);
            }
            Err(Unsent::OutOfTime) => {
                count_by_reason(Metric::NotificationsFailed, FailureReason::OutOfTime.code(), 1);
                return Err(Stop { reason: FailureReason::OutOfTime, detail: "too little time left to send".into() });
            }
            Err(Unsent::Telegram(error)) => error,
        };
        let reason = FailureReason::of(&error);
        count_by_reason(Metric::NotificationsFailed, reason.code(), 1);
        if let (false, SendError::Refused { status: 400 | 413, description }) = (notice.files.is_empty(), &error) {
            return self.files_refused(notice, description, remaining, now).await;
        }
        match error {
            SendError::Blocked => {
                tracing::info!(user = notice.user, "recipient blocked the bot; marked unreachable");
                self.store.mark_unreachable(notice.user).await.map_err(Stop::storage)?;
            }
            SendError::ChatNotFound => {
                tracing::warn!(user = notice.user, key = %notice.key, "the recipient's chat is gone; notice dropped");
            }
            other => return Err(Stop { reason, detail: describe(&other) }),
        }
        self.store.forget(&notice.key).await.map_err(Stop::storage)?;
        Ok(Settled::Undeliverable(reason))
    }

    /// Files Telegram will not take (over its limits, a file it refuses): a repeat is refused
    /// the same way, so the recipient is told, in words with the ticket's link, where they are
    /// instead; that is the notice delivered. Counted once.
    async fn files_refused(
        &self,
        notice: &Outgoing,
        description: &str,
        remaining: &impl Fn() -> Duration,
        now: DateTime<Utc>,
    ) -> Result<Settled, Stop> {
        tracing::warn!(key = %notice.key, description, "Telegram refused a notice's files; told where they are instead");
        count(Metric::NoticeFilesRefused, 1);
        let names: Vec<String> = notice.files.iter().map(|file| format!("«{}»", escape(&file.name))).collect();
        let url = notice.url.clone().unwrap_or_default();
        let html = texts::fill(
            texts::NOTICE_FILES_REFUSED.get(notice.lang),
            &[("names", &names.join(", ")), ("url", &escape(&url))],
        );
        let instead = Outgoing { html, files: vec![], menu: None, rate: None, actions: vec![], ..notice.clone() };
        match self.send(&instead, remaining).await {
            Ok(messages) => {
                count(Metric::NotificationsSent, 1);
                self.record_delivery(notice, now, &messages).await.map_err(Stop::storage)?;
                Ok(Settled::Delivered)
            }
            Err(Unsent::OutOfTime) => {
                Err(Stop { reason: FailureReason::OutOfTime, detail: "too little time left to send".into() })
            }
            Err(Unsent::Telegram(error)) => Err(Stop { reason: FailureReason::of(&error), detail: describe(&error) }),
        }
    }

    /// The marker first (with its kept copy forgotten and its messages remembered, in one
    /// write): once it is written, no retry sends the notice again.
    async fn record_delivery(
        &self,
        notice: &Outgoing,
        now: DateTime<Utc>,
        messages: &[(i64, i64, u64)],
    ) -> Result<(), StoreError> {
        self.store.settle(&notice.key, now, messages).await?;
        if let Some(request) = &notice.call_me {
            self.store.mark_call_me_notified(request).await?;
        }
        Ok(())
    }

    /// Sends a notice (split when long); each part only while more than the reserve is left.
    /// A 429 is waited out when the wait fits the time left (less the reserve). A longer one is
    /// waited for as long as fits, and then the error is returned: reporting at once would spend
    /// the stream's few retries within seconds while the limit lasts, whereas waiting makes each
    /// retry cover up to a whole invocation. A limit that outlasts every retry leaves the notice
    /// kept for replay.
    /// Returns the messages it made that are about the notice's ticket (chat, message id,
    /// ticket), so that a reply to one comments on the ticket.
    async fn send(&self, notice: &Outgoing, remaining: &impl Fn() -> Duration) -> Result<Vec<(i64, i64, u64)>, Unsent> {
        let chat = notice.user as i64;
        let mut made_messages = vec![];
        for reply in replies_of(notice) {
            loop {
                // A slot under the flood limits that comes while more than the reserve is left.
                let left = remaining();
                if left <= self.reserve || !self.pacer.wait_within(chat, left - self.reserve).await {
                    return Err(Unsent::OutOfTime);
                }
                let seconds = match self.messenger.send(chat, &reply).await {
                    Err(SendError::RetryAfter(seconds)) => seconds,
                    other => {
                        let made = other.map_err(Unsent::Telegram)?;
                        if let (Some(message_id), Some(ticket)) = (made, notice.ticket) {
                            made_messages.push((chat, message_id, ticket));
                        }
                        break;
                    }
                };
                let wait = Duration::from_secs(u64::from(seconds));
                let fits = remaining().saturating_sub(self.reserve);
                if wait > fits {
                    tracing::info!(
                        seconds,
                        waited = fits.as_secs(),
                        "rate limited past the invocation; waited what fits"
                    );
                    tokio::time::sleep(fits).await;
                    return Err(Unsent::Telegram(SendError::RetryAfter(seconds)));
                }
                tokio::time::sleep(wait).await;
            }
        }
        Ok(made_messages)
    }

    /// Keeps notices for a later attempt or the replay. Returns whether all were kept: what
    /// cannot be is logged (the stream, and then its failure queue, still point at its record).
    pub async fn keep(&self, owed: &[Outgoing], stop: &Stop, now: DateTime<Utc>) -> bool {
        let mut kept = 0;
        for notice in owed {
            let failed = FailedNotice {
                notice: notice.clone(),
                reason: stop.reason,
                detail: stop.detail.clone(),
                failed_at: now,
            };
            if let Err(error) = self.store.keep(&failed).await {
                tracing::error!(key = %notice.key, %error, "an undelivered notice could not be kept");
                count(Metric::NotificationsKept, kept);
                return false;
            }
            kept += 1;
        }
        count(Metric::NotificationsKept, kept);
        true
    }

    /// Sends every kept notice, in the order of their changes, through [`Self::deliver`]:
    /// delivered and undeliverable ones are forgotten, failing ones kept with the new reason.
    /// Run it when the stream has given up (the failure queue's alarm): a retry of the same
    /// record running at the same time could send a notice twice.
    pub async fn replay(
        &self,
        remaining: impl Fn() -> Duration,
        now: DateTime<Utc>,
    ) -> Result<ReplayReport, StoreError> {
        let mut kept = self.store.kept().await?;
        kept.sort_by(|a, b| replay_order(&a.notice, &b.notice));
        let mut report = ReplayReport::default();
        let mut stalled: HashSet<TelegramUserId> = HashSet::new();
        let mut stopped = false;
        for failed in kept {
            let notice = &failed.notice;
            if stopped || stalled.contains(&notice.user) {
                report.not_tried += 1;
                continue;
            }
            if self.store.already_sent(&notice.key).await? {
                self.store.forget(&notice.key).await?;
                report.delivered_before += 1;
                continue;
            }
            // Read again: client comments and phone numbers must not reach someone who left.
            let reach = self.store.reach(notice.user).await?;
            let person = reach.person.as_ref().map(Person::code);
            if person.is_none() || person.as_deref() != super::notices::recipient_code(&notice.key) {
                self.store.forget(&notice.key).await?;
                report.recipient_gone += 1;
                continue;
            }
            if reach.unreachable {
                self.store.forget(&notice.key).await?;
                report.undeliverable += 1;
                continue;
            }
            match self.deliver(notice, &remaining, now).await {
                Ok(Settled::Delivered) => report.delivered += 1,
                Ok(Settled::Undeliverable(_)) => report.undeliverable += 1,
                Err(stop) => {
                    self.keep(std::slice::from_ref(notice), &stop, now).await;
                    stalled.insert(notice.user);
                    stopped = !stop.reason.is_about_one_message();
                    report.failed.push(FailedNotice {
                        notice: notice.clone(),
                        reason: stop.reason,
                        detail: stop.detail,
                        failed_at: now,
                    });
                }
            }
        }
        Ok(report)
    }
}

/// The order of the changes: stream sequence numbers are decimal and grow within a shard, which
/// holds all of one ticket's changes; then the order of the recipients' keys.
fn replay_order(a: &Outgoing, b: &Outgoing) -> std::cmp::Ordering {
    (a.sequence.len(), &a.sequence, &a.key).cmp(&(b.sequence.len(), &b.sequence, &b.key))
}
