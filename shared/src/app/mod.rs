//! The application service: runs one update through the dialogue and carries out its outcome.
//!
//! Exactly-once, without a marker read on the hot path:
//! - An update that changes anything is committed in ONE conditional transaction with the
//!   marker `UPD#<update_id>` and the user's record (version check). A redelivery fails on the
//!   marker and sends nothing; a concurrent change fails on the version and is decided again.
//! - An update that changes nothing (a menu, a prompt) writes nothing: its only effect is the
//!   reply, and the reply rides in the webhook's HTTP response ([`Handled::respond_with`]).
//!   Telegram executes that response only when it receives it, and redelivers only when it did
//!   not, so such an update has its effect once without a marker (and costs no write).
//! - Replies before the last one are sent through the Bot API after the commit; a failure to
//!   send is logged, never retried by Telegram (the commit happened).

use crate::dialogue::{
    self, Content, DialogueSettings, Event, Facts, FileKind, Inbound, Need, Outcome, Reply, StoredFile, StoredFiles,
};
use crate::media;
use crate::ports::{
    AlbumClaims, Commit, Directory, DownloadError, FileSource, FileStore, Messenger, StoreError, TicketStore, UserStore,
};
use chrono::{DateTime, Utc};

/// How often a decision is retried after losing a race on the user's record.
const MAX_ATTEMPTS: usize = 3;

pub struct Bot<S, M, F> {
    pub store: S,
    /// Sends replies and fetches the files users send.
    pub messenger: M,
    /// The attachments bucket.
    pub files: F,
    pub settings: DialogueSettings,
}

/// What the webhook should answer Telegram.
#[derive(Debug, Default, PartialEq)]
pub struct Handled {
    /// The reply to return as the webhook response (`{"method": "sendMessage", ...}`).
    pub respond_with: Option<Reply>,
    /// The update had been handled before; nothing was done.
    pub duplicate: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the user's record kept changing under {0} attempts")]
    Contended(usize),
    /// The dialogue asked twice for one fact: a bug in the dialogue, reported rather than looped on.
    #[error("the dialogue asked again for {0:?}")]
    DialogueLoop(Need),
    #[error("a file could not be fetched from Telegram")]
    Download(#[source] crate::ports::BoxError),
}

impl<S, M, F> Bot<S, M, F>
where
    S: UserStore + Directory + TicketStore + AlbumClaims,
    M: Messenger + FileSource,
    F: FileStore,
{
    /// Handles one update. An `Err` means nothing was committed and a redelivery can succeed.
    pub async fn handle(&self, inbound: &Inbound, now: DateTime<Utc>) -> Result<Handled, AppError> {
        for _ in 0..MAX_ATTEMPTS {
            let user = self.store.load_user(inbound.user_id).await?;
            let outcome = self.decide(&user, inbound).await?;
            if !outcome.is_read_only(&user) {
                let commit = Commit {
                    update_id: inbound.update_id,
                    user_id: inbound.user_id,
                    chat_id: inbound.chat_id,
                    before: &user,
                    state: &outcome.state,
                    effects: &outcome.effects,
                    now,
                };
                match self.store.commit(&commit).await {
                    Ok(()) => {
                        for effect in &outcome.effects {
                            if let dialogue::Effect::CreateTicket(ticket) = effect {
                                tracing::info!(ticket_id = ticket.id, files = ticket.files.len(), "ticket created");
                                crate::observability::count(crate::observability::Metric::TicketsCreated, 1);
                            }
                        }
                    }
                    Err(StoreError::Duplicate) => {
                        tracing::info!(update_id = inbound.update_id, "duplicate delivery ignored");
                        return Ok(Handled { respond_with: None, duplicate: true });
                    }
                    Err(StoreError::Conflict) => continue,
                    Err(other) => return Err(other.into()),
                }
            }
            return Ok(self.deliver(inbound.chat_id, outcome.replies).await);
        }
        Err(AppError::Contended(MAX_ATTEMPTS))
    }

    /// Runs the pure dialogue, reading each fact it asks for (each at most once).
    async fn decide(&self, user: &dialogue::UserRecord, inbound: &Inbound) -> Result<Outcome, AppError> {
        let mut facts = Facts::default();
        loop {
            match dialogue::step(&self.settings, user, inbound, &facts) {
                Ok(outcome) => return Ok(outcome),
                Err(Need::PhoneMatches(phone)) if facts.phone_matches.is_none() => {
                    tracing::info!(phone = %phone.masked(), "looking up a shared phone");
                    facts.phone_matches = Some(self.store.find_by_phone(&phone).await?);
                }
                Err(Need::Tickets { contact_id }) if facts.tickets.is_none() => {
                    facts.tickets = Some(self.store.contact_tickets(&contact_id).await?);
                }
                Err(Need::StoreFiles) if facts.files.is_none() => {
                    let Event::Message(content) = &inbound.event else {
                        return Err(AppError::DialogueLoop(Need::StoreFiles));
                    };
                    facts.files = Some(self.store_files(content).await?);
                }
                Err(Need::NewTicketId) if facts.new_ticket_id.is_none() => {
                    facts.new_ticket_id = Some(self.store.next_ticket_id().await?);
                }
                Err(Need::Ticket(id)) if facts.ticket.is_none() => {
                    facts.ticket = Some(self.store.ticket(id).await?);
                }
                Err(Need::Manager { client_id }) if facts.manager.is_none() => {
                    facts.manager = Some(self.store.manager(&client_id).await?);
                }
                Err(Need::Album(album)) if facts.album.is_none() => {
                    facts.album = Some(self.store.album_claim(&album).await?);
                }
                Err(need) => return Err(AppError::DialogueLoop(need)),
            }
        }
    }

    /// Fetches the message's files from Telegram and stores them in the bucket, before anything
    /// is committed: keys come from the files, so a retry rewrites the same objects. Photos are
    /// stored as JPEG (JPEG bytes as they came); documents keep their names.
    async fn store_files(&self, content: &Content) -> Result<StoredFiles, AppError> {
        let mut result = StoredFiles::default();
        for file in &content.files {
            let bytes = match self.messenger.download(&file.file_id).await {
                Ok(bytes) => bytes,
                Err(DownloadError::TooLarge) => {
                    result.rejected.push(file.name.clone());
                    continue;
                }
                Err(DownloadError::Unavailable(error)) => return Err(AppError::Download(error)),
            };
            let (bytes, content_type) = match file.kind {
                FileKind::Photo => match media::photo_as_jpeg(bytes) {
                    Ok(jpeg) => (jpeg, "image/jpeg".to_owned()),
                    Err(error) => {
                        tracing::warn!(%error, "a photo that is not an image was not taken");
                        result.rejected.push(file.name.clone());
                        continue;
                    }
                },
                _ => (bytes, file.mime_type.clone().unwrap_or_else(|| "application/octet-stream".into())),
            };
            let key = media::object_key(&file.unique_id, &file.name);
            let size = bytes.len() as u64;
            self.files.put_file(&key, bytes, &content_type, &file.name).await?;
            result.stored.push(StoredFile { name: file.name.clone(), content_type, size, key });
        }
        Ok(result)
    }

    /// Sends all replies but the last, which is returned to ride in the webhook response.
    async fn deliver(&self, chat_id: i64, mut replies: Vec<Reply>) -> Handled {
        let last = replies.pop();
        for reply in &replies {
            if let Err(error) = self.messenger.send(chat_id, reply).await {
                tracing::warn!(%error, "a reply could not be sent");
            }
        }
        Handled { respond_with: last, duplicate: false }
    }
}

#[cfg(test)]
mod tests;
