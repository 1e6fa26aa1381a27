//! [`UserStore`] and [`AlbumClaims`] on the BotTable.

use super::apply::MARKER_TTL_SECS;
use super::attr::*;
use super::{codec, failed, is_condition_failure, keys, DynamoStore};
use crate::dialogue::{AlbumTarget, UserRecord};
use crate::domain::TelegramUserId;
use crate::ports::{AlbumClaims, Commit, Reach, StoreError, UserStore};
use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};

impl UserStore for DynamoStore {
    async fn load_user(&self, user_id: TelegramUserId) -> Result<UserRecord, StoreError> {
        match self.get(&self.bot_table, keys::user(user_id)).await? {
            Some(item) => codec::user::from_item(&item),
            None => Ok(UserRecord::default()),
        }
    }

    async fn committed_response(&self, update_id: u64) -> Result<Option<String>, StoreError> {
        let marker = self.get(&self.bot_table, keys::update_marker(update_id)).await?;
        Ok(marker.as_ref().and_then(|item| get_s(item, "response")).map(str::to_owned))
    }

    /// `UpdateItem ADD`: atomic, so concurrent deliveries count apart.
    async fn count_failed_attempt(&self, update_id: u64, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.bot_table)
            .set_key(Some(key_map(keys::failed_attempts(update_id))))
            .update_expression("ADD #c :one SET expires_at = if_not_exists(expires_at, :expires)")
            .expression_attribute_names("#c", "count")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":expires", n(now.timestamp() + MARKER_TTL_SECS))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(failed)?;
        let count =
            output.attributes.as_ref().and_then(|a| get_u64(a, "count")).ok_or_else(|| corrupt("attempt count"))?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn commit(&self, commit: &Commit<'_>) -> Result<(), StoreError> {
        self.apply(crate::plan::commit(commit)).await
    }

    async fn reach(&self, user: TelegramUserId) -> Result<Reach, StoreError> {
        let item = self.get(&self.bot_table, keys::user(user)).await?;
        Ok(item.as_ref().map_or_else(Reach::default, reach_of))
    }

    async fn mark_unreachable(&self, user: TelegramUserId) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.bot_table)
            .set_key(Some(key_map(keys::user(user))))
            .update_expression("SET unreachable = :yes")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":yes", b(true))
            .send()
            .await;
        match result {
            Err(error) if is_condition_failure(&error) => Ok(()), // no record: nothing to mark
            other => other.map(drop).map_err(failed),
        }
    }
}

impl AlbumClaims for DynamoStore {
    async fn album_claim(&self, user: TelegramUserId, album: &str) -> Result<Option<AlbumTarget>, StoreError> {
        let Some(item) = self.get(&self.bot_table, keys::album(user, album)).await? else { return Ok(None) };
        let target = get_s(&item, "target").ok_or_else(|| corrupt("album target"))?;
        serde_json::from_str(target).map(Some).map_err(|_| corrupt("album target"))
    }
}

/// What a notice needs of a user's record.
pub(super) fn reach_of(item: &super::attr::Item) -> Reach {
    Reach {
        unreachable: codec::user::is_unreachable(item),
        language: codec::user::language(item),
        person: codec::user::person(item),
    }
}
