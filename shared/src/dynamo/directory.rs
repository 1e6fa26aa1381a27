//! [`Directory`] on the BotTable: clients, contacts and employees, found by id or by phone.

use super::attr::*;
use super::codec::directory as codec;
use super::{failed, keys, query_all, DynamoStore};
use crate::dialogue::PhoneMatches;
use crate::domain::{Client, Contact, Employee, TelegramUserId};
use crate::dynamo::keys::Kind;
use crate::phone::Phone;
use crate::ports::{Directory, Entries, StoreError, PUT_CONTACTS_MAX};
use aws_sdk_dynamodb::types::KeysAndAttributes;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

impl Directory for DynamoStore {
    async fn get_client(&self, id: &str) -> Result<Option<Client>, StoreError> {
        self.get(&self.bot_table, keys::client(id)).await?.as_ref().map(codec::client_from_item).transpose()
    }

    async fn put_client(&self, client: &Client) -> Result<(), StoreError> {
        let item = codec::client_to_item(client);
        self.client.put_item().table_name(&self.bot_table).set_item(Some(item)).send().await.map_err(failed)?;
        Ok(())
    }

    async fn get_contact(&self, id: &str) -> Result<Option<Contact>, StoreError> {
        self.get(&self.bot_table, keys::contact(id)).await?.as_ref().map(codec::contact_from_item).transpose()
    }

    async fn put_contact(
        &self,
        contact: &Contact,
        linked_as_read: Option<TelegramUserId>,
        now: DateTime<Utc>,
    ) -> Result<Contact, StoreError> {
        self.apply(crate::plan::contact(contact, linked_as_read, now)).await?;
        Ok(contact.clone())
    }

    async fn get_employee(&self, id: &str) -> Result<Option<Employee>, StoreError> {
        self.get(&self.bot_table, keys::employee(id)).await?.as_ref().map(codec::employee_from_item).transpose()
    }

    async fn put_employee(
        &self,
        employee: &Employee,
        linked_as_read: Option<TelegramUserId>,
    ) -> Result<Employee, StoreError> {
        self.apply(crate::plan::employee(employee, linked_as_read)).await?;
        Ok(employee.clone())
    }

    async fn find_by_phone(&self, phone: &Phone) -> Result<PhoneMatches, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.bot_table)
            .index_name("ByPhone")
            .key_condition_expression("phone = :p")
            .expression_attribute_values(":p", s(phone.as_str()));
        let mut matches = PhoneMatches::default();
        for item in &query_all(query).await? {
            match keys::kind_of(get_s(item, "sk").unwrap_or_default()) {
                Kind::Contact => matches.contacts.push(codec::contact_match(item)?),
                Kind::Employee => matches.employees.push(codec::employee_match(item)?),
                _ => {}
            }
        }
        matches.contacts.sort_by(|a, b| a.contact_id.cmp(&b.contact_id));
        matches.employees.sort_by(|a, b| a.employee_id.cmp(&b.employee_id));
        // Company names are shown only when the user must choose between companies.
        if matches.contacts.iter().filter(|c| c.active).count() > 1 {
            let names = self.client_names(matches.contacts.iter().map(|c| c.client_id.clone())).await?;
            for contact in &mut matches.contacts {
                contact.client_name =
                    names.get(&contact.client_id).cloned().unwrap_or_else(|| contact.client_id.clone());
            }
        }
        Ok(matches)
    }

    /// BatchGetItem, 100 keys a request, again for what DynamoDB leaves unprocessed.
    async fn get_contacts(&self, ids: &[String]) -> Result<HashMap<String, Contact>, StoreError> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(100) {
            let mut keys = KeysAndAttributes::builder();
            for id in chunk {
                keys = keys.keys(key_map(keys::contact(id)));
            }
            let mut request = HashMap::from([(self.bot_table.clone(), keys.build().map_err(super::build_error)?)]);
            while !request.is_empty() {
                let output =
                    self.client.batch_get_item().set_request_items(Some(request)).send().await.map_err(failed)?;
                for item in output.responses.unwrap_or_default().remove(&self.bot_table).unwrap_or_default() {
                    let contact = codec::contact_from_item(&item)?;
                    found.insert(contact.id.clone(), contact);
                }
                request = output.unprocessed_keys.unwrap_or_default();
            }
        }
        Ok(found)
    }

    /// One BatchGetItem (consistent) per 100 entries.
    async fn get_entries(&self, contacts: &[String], clients: &[String]) -> Result<Entries, StoreError> {
        let wanted = contacts.iter().map(|id| keys::contact(id)).chain(clients.iter().map(|id| keys::client(id)));
        let mut found = Entries::default();
        for item in self.batch_get(&self.bot_table, wanted.collect()).await? {
            match keys::kind_of(get_s(&item, "sk").unwrap_or_default()) {
                Kind::Contact => {
                    let contact = codec::contact_from_item(&item)?;
                    found.contacts.insert(contact.id.clone(), contact);
                }
                Kind::Client => {
                    let client = codec::client_from_item(&item)?;
                    found.clients.insert(client.id.clone(), client);
                }
                _ => {}
            }
        }
        Ok(found)
    }

    /// One transaction of what `put_contact` writes for each.
    async fn put_contacts(
        &self,
        contacts: &[(Contact, Option<TelegramUserId>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Contact>, StoreError> {
        if contacts.len() > PUT_CONTACTS_MAX {
            return Err(StoreError::rejected(format!("at most {PUT_CONTACTS_MAX} contacts at once")));
        }
        let plan =
            contacts.iter().flat_map(|(contact, linked_as_read)| crate::plan::contact(contact, *linked_as_read, now));
        self.apply(plan.collect()).await?;
        Ok(contacts.iter().map(|(contact, _)| contact.clone()).collect())
    }
}

impl DynamoStore {
    /// Client names by id, in one batch read.
    async fn client_names(&self, ids: impl Iterator<Item = String>) -> Result<HashMap<String, String>, StoreError> {
        let mut unique: Vec<String> = ids.collect();
        unique.sort();
        unique.dedup();
        let mut keys = KeysAndAttributes::builder();
        for id in &unique {
            keys = keys.keys(key_map(keys::client(id)));
        }
        let output = self
            .client
            .batch_get_item()
            .request_items(&self.bot_table, keys.build().map_err(super::build_error)?)
            .send()
            .await
            .map_err(failed)?;
        let mut names = HashMap::new();
        for item in output.responses.unwrap_or_default().remove(&self.bot_table).unwrap_or_default() {
            if let (Some(id), Some(name)) = (get_s(&item, "id"), get_s(&item, "name")) {
                names.insert(id.to_owned(), name.to_owned());
            }
        }
        Ok(names)
    }
}
