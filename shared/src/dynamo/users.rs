//! [`UserStore`] and [`AlbumClaims`] on the BotTable.

use super::attr::*;
use super::{codec, is_condition_failure, keys, unavailable, DynamoStore};
use crate::dialogue::{AlbumTarget, UserRecord};
use crate::domain::TelegramUserId;
use crate::ports::{AlbumClaims, Commit, StoreError, UserStore};

impl UserStore for DynamoStore {
    async fn load_user(&self, user_id: TelegramUserId) -> Result<UserRecord, StoreError> {
        match self.get(&self.bot_table, keys::user(user_id)).await? {
            Some(item) => codec::user::from_item(&item),
            None => Ok(UserRecord::default()),
        }
    }

    async fn commit(&self, commit: &Commit<'_>) -> Result<(), StoreError> {
        self.transact(self.commit_items(commit)?).await
    }

    async fn is_unreachable(&self, user: TelegramUserId) -> Result<bool, StoreError> {
        let item = self.get(&self.bot_table, keys::user(user)).await?;
        Ok(item.as_ref().is_some_and(codec::user::is_unreachable))
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
            other => other.map(drop).map_err(unavailable),
        }
    }
}

impl AlbumClaims for DynamoStore {
    async fn album_claim(&self, album: &str) -> Result<Option<AlbumTarget>, StoreError> {
        let Some(item) = self.get(&self.bot_table, keys::album(album)).await? else { return Ok(None) };
        let target = get_s(&item, "target").ok_or_else(|| corrupt("album target"))?;
        serde_json::from_str(target).map(Some).map_err(|_| corrupt("album target"))
    }
}
