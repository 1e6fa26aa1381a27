//! Files through the staff API, the AWS way (a Lambda request carries at most 6 MB):
//! `POST /uploads` declares a file and answers a presigned S3 `PUT` for exactly it; a ticket or
//! comment then takes it by its id (`"attachments": ["<upload_id>", …]`): checked (known, not
//! expired, uploaded, of the declared size, unused), copied under the attachment's key in the
//! bucket (server-side) and marked used in the write that makes the ticket or comment.

use super::{error_id, Api, ApiResponse, ApiResult, Refusal};
use crate::dialogue::StoredFile;
use crate::ports::{Attached, CallMeRequests, Directory, FileLinks, KeptResults, TicketStore, Upload, Uploads};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

/// The largest file the Bot API sends to a chat (and so the largest upload taken).
pub const UPLOAD_MAX_BYTES: u64 = 50 * 1024 * 1024;
/// How long the upload URL is valid.
pub const UPLOAD_URL_MINUTES: i64 = 15;
/// How long an upload may wait for a ticket or comment to take it (the lifecycle rule removes
/// the object a day later).
pub const UPLOAD_KEPT_HOURS: i64 = 24;
/// The most files one ticket or comment takes.
pub const ATTACHMENTS_MAX: usize = 10;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UploadInput {
    name: String,
    content_type: String,
    #[serde(deserialize_with = "whole_number")]
    size: u64,
}

/// A JSON Schema `integer`: `48213`, and `48213.0` too (a number whose fraction is zero is an
/// integer there); anything else is refused with the field named.
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    number
        .as_u64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && (0.0..9.007_199_254_740_992e15).contains(f))
                .map(|f| f as u64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("invalid value: {number}, expected a whole number of bytes")))
}

/// A MIME type as `type/subtype` of token characters (RFC 9110), at most 127 bytes.
fn is_media_type(text: &str) -> bool {
    let token = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b));
    text.len() <= 127 && text.split_once('/').is_some_and(|(kind, sub)| token(kind) && token(sub))
}

/// Whether `id` can be an upload's id (32 hex digits): anything else names none.
fn is_upload_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

impl<D: Directory + TicketStore + KeptResults + CallMeRequests + Uploads, L: FileLinks> Api<D, L> {
    pub(super) async fn create_upload(&self, input: UploadInput, now: DateTime<Utc>) -> ApiResult {
        // As the document's pattern says: something visible, no control characters.
        let name = input.name;
        let visible = name.chars().any(|c| !c.is_ascii_whitespace() && !c.is_ascii_control() && c != ' ');
        if !visible || name.chars().count() > 255 || name.chars().any(|c| c.is_ascii_control()) {
            return Err(Refusal::Invalid(
                "name must be 1-255 characters, not all spaces, none a control character".into(),
            ));
        }
        if !is_media_type(&input.content_type) {
            return Err(Refusal::Invalid(format!(
                "content_type {:?} is not a media type (type/subtype)",
                input.content_type
            )));
        }
        if !(1..=UPLOAD_MAX_BYTES).contains(&input.size) {
            return Err(Refusal::Invalid(format!(
                "size must be 1-{UPLOAD_MAX_BYTES} bytes (Telegram sends files up to 50 MB)"
            )));
        }
        let id = format!("{}{}", error_id(), error_id());
        let key = format!("uploads/{id}");
        let valid_for = std::time::Duration::from_secs(UPLOAD_URL_MINUTES as u64 * 60);
        let url = self.links.upload_link(&key, &input.content_type, input.size, valid_for).await?;
        let upload = Upload {
            id: id.clone(),
            name,
            content_type: input.content_type,
            size: input.size,
            key,
            created_at: now,
            // Whole seconds: the TTL's unit, as the record reads back.
            expires_at: DateTime::from_timestamp((now + chrono::Duration::hours(UPLOAD_KEPT_HOURS)).timestamp(), 0)
                .unwrap_or(now),
            used_by: None,
        };
        self.directory.put_upload(&upload).await?;
        Ok(ApiResponse::new(
            201,
            json!({
                "upload_id": id,
                "url": url,
                "expires_at": super::time_json(now + chrono::Duration::minutes(UPLOAD_URL_MINUTES)),
                "name": upload.name,
                "content_type": upload.content_type,
                "size": upload.size,
            }),
        ))
    }

    /// The uploads `ids` name, each checked (422 naming it otherwise, nothing written) and
    /// copied under its attachment's key.
    pub(super) async fn attached(&self, ids: &[String], now: DateTime<Utc>) -> Result<Attached, Refusal> {
        if ids.len() > ATTACHMENTS_MAX {
            return Err(Refusal::Invalid(format!("attachments: at most {ATTACHMENTS_MAX} files")));
        }
        let refused =
            |at: usize, id: &str, why: &str| Refusal::Invalid(format!("attachments[{at}]: upload {id:?} {why}"));
        for (at, id) in ids.iter().enumerate() {
            if ids[..at].contains(id) {
                return Err(refused(at, id, "is named twice"));
            }
        }
        let known: Vec<&String> = ids.iter().filter(|id| is_upload_id(id)).collect();
        let records = if known.is_empty() {
            vec![]
        } else {
            self.directory.uploads(&known.into_iter().cloned().collect::<Vec<_>>()).await?
        };
        let mut files = vec![];
        for (at, id) in ids.iter().enumerate() {
            let upload = records.iter().find(|u| &u.id == id).ok_or_else(|| refused(at, id, "is unknown"))?;
            if upload.expires_at <= now {
                return Err(refused(at, id, "expired: upload the file again"));
            }
            if upload.used_by.is_some() {
                return Err(refused(at, id, "is used already: upload the file again for another"));
            }
            match self.links.stored_size(&upload.key).await? {
                None => return Err(refused(at, id, "is not uploaded yet: PUT the file to its url first")),
                Some(size) if size != upload.size => {
                    return Err(refused(at, id, &format!("is {size} bytes, not the {} declared", upload.size)))
                }
                Some(_) => {}
            }
            files.push(upload);
        }
        let mut stored = vec![];
        for upload in files {
            let key = format!("api/{}/{}", upload.id, crate::media::safe_name(&upload.name));
            self.links.copy(&upload.key, &key, &upload.content_type, &upload.name).await?;
            stored.push(StoredFile {
                name: upload.name.clone(),
                content_type: upload.content_type.clone(),
                size: upload.size,
                key,
                telegram: None,
            });
        }
        Ok(Attached { files: stored, uploads: ids.to_vec() })
    }

    /// After a write was refused: whether an upload it took was used meanwhile (by a request
    /// that won), which is what to answer then.
    pub(super) async fn used_meanwhile(&self, attached: &Attached) -> Result<Option<Refusal>, Refusal> {
        if attached.uploads.is_empty() {
            return Ok(None);
        }
        let records = self.directory.uploads(&attached.uploads).await?;
        Ok(attached.uploads.iter().enumerate().find_map(|(at, id)| {
            let used = records.iter().any(|u| &u.id == id && u.used_by.is_some());
            used.then(|| {
                Refusal::Invalid(format!(
                    "attachments[{at}]: upload {id:?} is used already: upload the file again for another"
                ))
            })
        }))
    }
}
