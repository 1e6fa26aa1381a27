//! What the notifier keeps: [`SentNotices`] markers and [`FailedNotices`] (BotTable), and the
//! state of [`CallMeRequests`] (TicketsTable).

use super::attr::*;
use super::codec::{call_me, failed_notice};
use super::{failed, is_condition_failure, keys, scan_all, DynamoStore};
use crate::domain::{CallMeRequest, CallMeState};
use crate::notify::FailedNotice;
use crate::ports::{CallMeRequests, FailedNotices, SentNotices, StoreError};
use chrono::{DateTime, Utc};

/// How long a sent-notice marker is kept: longer than a stream record can live (24 h).
const SENT_TTL_SECS: i64 = 2 * 24 * 3600;

/// How long an undelivered notice is kept for replay: two weeks to notice and fix the cause.
const FAILED_TTL_SECS: i64 = 14 * 24 * 3600;

impl SentNotices for DynamoStore {
    async fn already_sent(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.get(&self.bot_table, keys::sent_notice(key)).await?.is_some())
    }

    async fn mark_sent(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut item = keyed(keys::sent_notice(key));
        item.insert("expires_at".into(), n(now.timestamp() + SENT_TTL_SECS));
        self.client.put_item().table_name(&self.bot_table).set_item(Some(item)).send().await.map_err(failed)?;
        Ok(())
    }
}

impl FailedNotices for DynamoStore {
    /// Expires 14 days after its last failure.
    async fn keep(&self, notice: &FailedNotice) -> Result<(), StoreError> {
        let item = failed_notice::to_item(notice, notice.failed_at.timestamp() + FAILED_TTL_SECS);
        self.client.put_item().table_name(&self.bot_table).set_item(Some(item)).send().await.map_err(failed)?;
        Ok(())
    }

    /// A scan, consistent: only the replay reads these, now and then.
    async fn kept(&self) -> Result<Vec<FailedNotice>, StoreError> {
        let scan = self.client.scan().table_name(&self.bot_table).consistent_read(true);
        let items = scan_all(scan, keys::FAILED).await?;
        items.iter().map(failed_notice::from_item).collect()
    }

    async fn forget(&self, key: &str) -> Result<(), StoreError> {
        let key = key_map(keys::failed_notice(key));
        self.client.delete_item().table_name(&self.bot_table).set_key(Some(key)).send().await.map_err(failed)?;
        Ok(())
    }
}

impl CallMeRequests for DynamoStore {
    /// A scan: staff read these now and then.
    async fn call_me_requests(&self) -> Result<Vec<CallMeRequest>, StoreError> {
        let items = scan_all(self.client.scan().table_name(&self.tickets_table), keys::CALL_ME).await?;
        let mut requests = items.iter().map(call_me::from_item).collect::<Result<Vec<_>, _>>()?;
        requests.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        Ok(requests)
    }

    async fn mark_call_me_notified(&self, id: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.tickets_table)
            .set_key(Some(key_map(keys::call_me(id))))
            .update_expression("SET #s = :notified")
            .expression_attribute_names("#s", "state")
            // An update of a key that is not there would make a partial item of it.
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":notified", s(CallMeState::ManagerNotified.code()))
            .send()
            .await;
        match result {
            Err(error) if is_condition_failure(&error) => Ok(()), // no such request: nothing to mark
            other => other.map(drop).map_err(failed),
        }
    }
}
