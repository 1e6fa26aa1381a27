//! What the notifier keeps: [`SentNotices`] markers and [`FailedNotices`] (BotTable), and the
//! [`CallMeRequests`] (TicketsTable).

use super::attr::*;
use super::codec::{call_me, failed_notice, message_ticket};
use super::listing::{filtered, newest_page, Condition};
use super::{failed, is_condition_failure, keys, scan_all, DynamoStore};
use crate::domain::{Actor, CallMeRequest, CallMeState};
use crate::ports::{
    CallMeRequests, Deliveries, FailedNotice, FailedNotices, MessageTickets, Page, Position, RememberedMessage,
    SentNotices, StoreError, MESSAGE_TICKET_DAYS,
};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// How long a sent-notice marker is kept: longer than a stream record can live (24 h).
const SENT_TTL_SECS: i64 = 2 * 24 * 3600;

/// How long an undelivered notice is kept for replay: two weeks to notice and fix the cause.
const FAILED_TTL_SECS: i64 = 14 * 24 * 3600;

impl SentNotices for DynamoStore {
    async fn already_sent(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.get(&self.bot_table, keys::sent_notice(key)).await?.is_some())
    }

    async fn mark_sent(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let item = sent_marker(key, now);
        self.client.put_item().table_name(&self.bot_table).set_item(Some(item)).send().await.map_err(failed)?;
        Ok(())
    }
}

/// A `SENT#` marker, kept past a stream record's life.
fn sent_marker(key: &str, now: DateTime<Utc>) -> Item {
    let mut item = keyed(keys::sent_notice(key));
    item.insert("expires_at".into(), n(now.timestamp() + SENT_TTL_SECS));
    item
}

impl Deliveries for DynamoStore {
    /// One BatchGetItem (consistent) per 100 markers and users.
    async fn sent_and_reaches(
        &self,
        notice_keys: &[String],
        users: &[crate::domain::TelegramUserId],
    ) -> Result<(HashSet<String>, HashMap<crate::domain::TelegramUserId, crate::ports::Reach>), StoreError> {
        let markers: HashMap<String, &String> =
            notice_keys.iter().map(|key| (keys::sent_notice(key).pk, key)).collect();
        let records: HashMap<String, crate::domain::TelegramUserId> =
            users.iter().map(|user| (keys::user(*user).pk, *user)).collect();
        let wanted =
            notice_keys.iter().map(|key| keys::sent_notice(key)).chain(users.iter().map(|user| keys::user(*user)));
        let mut sent = HashSet::new();
        let mut reaches: HashMap<_, _> = users.iter().map(|user| (*user, crate::ports::Reach::default())).collect();
        for item in self.batch_get(&self.bot_table, wanted.collect()).await? {
            let pk = get_s(&item, "pk").unwrap_or_default();
            if let Some(key) = markers.get(pk) {
                sent.insert((*key).clone());
            } else if let Some(user) = records.get(pk) {
                reaches.insert(*user, super::users::reach_of(&item));
            }
        }
        Ok((sent, reaches))
    }

    /// One BatchWriteItem: the marker, the kept copy deleted, each message remembered.
    async fn settle(&self, key: &str, now: DateTime<Utc>, messages: &[(i64, i64, u64)]) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};
        let put = |item: Item| {
            PutRequest::builder().set_item(Some(item)).build().map(|p| WriteRequest::builder().put_request(p).build())
        };
        let mut writes = vec![put(sent_marker(key, now)).map_err(super::build_error)?];
        let forget = DeleteRequest::builder()
            .set_key(Some(key_map(keys::failed_notice(key))))
            .build()
            .map_err(super::build_error)?;
        writes.push(WriteRequest::builder().delete_request(forget).build());
        let expires_at = now.timestamp() + MESSAGE_TICKET_DAYS * 24 * 3600;
        for (chat, message, ticket) in messages {
            writes
                .push(put(message_ticket::to_item(*chat, *message, *ticket, expires_at)).map_err(super::build_error)?);
        }
        self.batch_write(&self.bot_table, writes).await
    }
}

impl MessageTickets for DynamoStore {
    /// One PutItem, unconditional: the same message is about the same ticket whoever writes it.
    async fn remember_message(
        &self,
        chat_id: i64,
        message_id: i64,
        ticket_id: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let expires_at = now.timestamp() + MESSAGE_TICKET_DAYS * 24 * 3600;
        let item = message_ticket::to_item(chat_id, message_id, ticket_id, expires_at);
        self.client.put_item().table_name(&self.bot_table).set_item(Some(item)).send().await.map_err(failed)?;
        Ok(())
    }

    /// One consistent GetItem.
    async fn message_ticket(&self, chat_id: i64, message_id: i64) -> Result<Option<RememberedMessage>, StoreError> {
        let item = self.get(&self.bot_table, keys::message_ticket(chat_id, message_id)).await?;
        item.as_ref().map(message_ticket::from_item).transpose()
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
    /// One partition of `ByStatus` per state, merged.
    async fn call_me_requests(
        &self,
        states: &[CallMeState],
        cursor: Option<&Position>,
        limit: usize,
    ) -> Result<Page<CallMeRequest>, StoreError> {
        let queries = states
            .iter()
            .map(|state| self.partition_query(keys::BY_STATUS, "status", &keys::call_me_listing(state.code()), cursor))
            .collect();
        newest_page(queries, call_me::from_item, cursor, limit).await
    }

    /// The open partitions of `ByStatus` from `since` on (a key condition: what staff left open
    /// for longer is never read), filtered by the requester.
    async fn open_call_me(&self, contact_id: &str, since: DateTime<Utc>) -> Result<Option<CallMeRequest>, StoreError> {
        let open: Vec<CallMeState> = CallMeState::ALL.into_iter().filter(|s| s.is_open()).collect();
        let queries = open
            .iter()
            .map(|state| {
                let listing = keys::call_me_listing(state.code());
                let query = self.partition_query_since(keys::BY_STATUS, "status", &listing, since);
                filtered(query, &[Condition::Equals("requester", ":requester", contact_id)])
            })
            .collect();
        Ok(newest_page(queries, call_me::from_item, None, 1).await?.items.pop())
    }

    async fn call_me(&self, id: &str) -> Result<Option<CallMeRequest>, StoreError> {
        self.get(&self.tickets_table, keys::call_me(id)).await?.as_ref().map(call_me::from_item).transpose()
    }

    async fn mark_call_me_notified(&self, id: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.tickets_table)
            .set_key(Some(key_map(keys::call_me(id))))
            .update_expression("SET #state = :notified, #s = :listed")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#s", "status")
            // An update of a key that is not there would make a partial item of it; a request
            // done already stays done.
            .condition_expression("attribute_exists(pk) AND #state = :new")
            .expression_attribute_values(":new", s(CallMeState::New.code()))
            .expression_attribute_values(":notified", s(CallMeState::ManagerNotified.code()))
            .expression_attribute_values(":listed", s(keys::call_me_listing(CallMeState::ManagerNotified.code())))
            .send()
            .await;
        match result {
            Err(error) if is_condition_failure(&error) => Ok(()), // nothing to mark
            other => other.map(drop).map_err(failed),
        }
    }

    async fn mark_call_me_done(&self, id: &str, at: DateTime<Utc>, by: &Actor) -> Result<(), StoreError> {
        let done = CallMeState::Done.code();
        let result = self
            .client
            .update_item()
            .table_name(&self.tickets_table)
            .set_key(Some(key_map(keys::call_me(id))))
            .update_expression(
                "SET #state = :done, #s = :listed, done_at = if_not_exists(done_at, :at), \
                 done_by = if_not_exists(done_by, :by)",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#s", "status")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":done", s(done))
            .expression_attribute_values(":listed", s(keys::call_me_listing(done)))
            .expression_attribute_values(":at", time(at))
            .expression_attribute_values(":by", s(by.code()))
            .send()
            .await;
        match result {
            Err(error) if is_condition_failure(&error) => Err(StoreError::Conflict),
            other => other.map(drop).map_err(failed),
        }
    }
}
