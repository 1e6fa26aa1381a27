//! The directory: `/clients/{id}`, `/contacts/{id}` and `/employees/{id}` (`GET`, `PUT`). A
//! contact or employee written keeps its Telegram link only while it stays active with the phone
//! the link was proved with; `active: false` deactivates and unlinks (there is no `DELETE`).

use super::{id_field, not_found, Api, ApiResponse, ApiResult, Refusal};
use crate::domain::{valid_id, Actor, Client, Contact, Employee, TelegramUserId};
use crate::phone;
use crate::ports::{CallMeRequests, Directory, FileLinks, KeptResults, TicketStore, Uploads};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientInput {
    pub(super) name: String,
    #[serde(default)]
    pub(super) manager_id: Option<String>,
    #[serde(default)]
    pub(super) vip: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ContactInput {
    pub(super) name: String,
    pub(super) phone: String,
    pub(super) client_id: String,
    #[serde(default = "yes")]
    pub(super) active: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EmployeeInput {
    pub(super) name: String,
    #[serde(default)]
    pub(super) phone: Option<String>,
    #[serde(default = "yes")]
    pub(super) active: bool,
}

fn yes() -> bool {
    true
}

impl<D: Directory + TicketStore + KeptResults + CallMeRequests + Uploads, L: FileLinks> Api<D, L> {
    pub(super) async fn get_client(&self, id: &str) -> ApiResult {
        let client = self.directory.get_client(id).await?.ok_or_else(|| not_found("client", id))?;
        Ok(ApiResponse::ok(client_json(&client)))
    }

    pub(super) async fn put_client(&self, id: &str, input: ClientInput) -> ApiResult {
        let client = self.validate_client(id, input).await?;
        let existed = self.directory.get_client(id).await?.is_some();
        self.directory.put_client(&client).await?;
        Ok(ApiResponse::new(if existed { 200 } else { 201 }, client_json(&client)))
    }

    async fn validate_client(&self, id: &str, input: ClientInput) -> Result<Client, Refusal> {
        check_id(id)?;
        let name = required_name(input.name)?;
        let manager_id = input.manager_id.filter(|m| !m.is_empty());
        if let Some(manager) = &manager_id {
            id_field("manager_id", manager)?;
            if self.directory.get_employee(manager).await?.is_none() {
                return Err(Refusal::Unknown(format!("manager_id {manager:?} is not a known employee")));
            }
        }
        Ok(Client { id: id.to_owned(), name, manager_id, vip: input.vip })
    }

    pub(super) async fn get_contact(&self, id: &str) -> ApiResult {
        let contact = self.directory.get_contact(id).await?.ok_or_else(|| not_found("contact", id))?;
        Ok(ApiResponse::ok(contact_json(&contact)))
    }

    pub(super) async fn put_contact(&self, id: &str, input: ContactInput, now: DateTime<Utc>) -> ApiResult {
        id_field("client_id", &input.client_id)?;
        let client_known = self.directory.get_client(&input.client_id).await?.is_some();
        self.put_contact_of(id, input, client_known, now).await
    }

    /// `PUT /contacts/{id}` once the client is known to exist or not.
    async fn put_contact_of(&self, id: &str, input: ContactInput, client_known: bool, now: DateTime<Utc>) -> ApiResult {
        let existing = self.directory.get_contact(id).await?;
        let (contact, linked) = linked_as_before(self.contact_of(id, input, client_known)?, existing.as_ref());
        let stored = self.directory.put_contact(&contact, linked, now).await?;
        Ok(ApiResponse::new(if existing.is_some() { 200 } else { 201 }, contact_json(&stored)))
    }

    /// A contact's validated fields, without its Telegram link ([`linked_as_before`] decides it).
    pub(super) fn contact_of(&self, id: &str, input: ContactInput, client_known: bool) -> Result<Contact, Refusal> {
        check_id(id)?;
        let name = required_name(input.name)?;
        let phone = phone::normalize(&input.phone, self.region)
            .ok_or_else(|| Refusal::Invalid(format!("phone {:?} is not a valid phone number", input.phone)))?;
        if !client_known {
            return Err(Refusal::Unknown(format!("client_id {:?} is not a known client", input.client_id)));
        }
        Ok(Contact {
            id: id.to_owned(),
            name,
            phone,
            client_id: input.client_id,
            active: input.active,
            telegram_user: None,
        })
    }

    pub(super) async fn get_employee(&self, id: &str) -> ApiResult {
        let employee = self.directory.get_employee(id).await?.ok_or_else(|| not_found("employee", id))?;
        Ok(ApiResponse::ok(employee_json(&employee)))
    }

    pub(super) async fn put_employee(&self, id: &str, input: EmployeeInput) -> ApiResult {
        check_id(id)?;
        let name = required_name(input.name)?;
        let phone = match input.phone.filter(|p| !p.trim().is_empty()) {
            None => None,
            Some(raw) => Some(
                phone::normalize(&raw, self.region)
                    .ok_or_else(|| Refusal::Invalid(format!("phone {raw:?} is not a valid phone number")))?,
            ),
        };
        let existing = self.directory.get_employee(id).await?;
        let linked = existing.as_ref().and_then(|e| e.telegram_user);
        // As for contacts: a departed employee, or one with a new phone, is unlinked.
        let keeps_link = input.active && existing.as_ref().is_some_and(|e| e.phone == phone);
        let employee = Employee {
            id: id.to_owned(),
            name,
            phone,
            active: input.active,
            telegram_user: linked.filter(|_| keeps_link),
        };
        let stored = self.directory.put_employee(&employee, linked).await?;
        Ok(ApiResponse::new(if existing.is_some() { 200 } else { 201 }, employee_json(&stored)))
    }

    pub(super) async fn employee(&self, id: &str, field: &str) -> Result<Employee, Refusal> {
        id_field(field, id)?;
        self.directory
            .get_employee(id)
            .await?
            .ok_or_else(|| Refusal::Unknown(format!("{field} {id:?} is not a known employee")))
    }

    /// Who a change is journaled as: `employee:<id>` (checked) or `api`.
    pub(super) async fn actor(&self, by: Option<&str>) -> Result<Actor, Refusal> {
        match by.filter(|b| !b.is_empty()) {
            Some(id) => Ok(Actor::Employee(self.employee(id, "by").await?.id)),
            None => Ok(Actor::Api),
        }
    }
}

/// A contact to write and the Telegram account it was linked to as read.
pub(super) type ContactWrite = (Contact, Option<TelegramUserId>);

/// A contact written over `before` keeps the account linked before while it stays active with
/// the phone that account proved; after a new phone the person registers again with it.
pub(super) fn linked_as_before(mut contact: Contact, before: Option<&Contact>) -> ContactWrite {
    let linked = before.and_then(|c| c.telegram_user);
    let keeps_link = contact.active && before.is_some_and(|c| c.phone == contact.phone);
    contact.telegram_user = linked.filter(|_| keeps_link);
    (contact, linked)
}

fn check_id(id: &str) -> Result<(), Refusal> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(Refusal::Invalid(format!("id {id:?} must be 1-40 characters of A-Z, a-z, 0-9, '.', '_', '-'")))
    }
}

fn required_name(name: String) -> Result<String, Refusal> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Refusal::Invalid("name must be 1-200 characters".into()));
    }
    Ok(name.to_owned())
}

pub fn client_json(client: &Client) -> Value {
    json!({"id": client.id, "name": client.name, "manager_id": client.manager_id, "vip": client.vip})
}

pub fn contact_json(contact: &Contact) -> Value {
    json!({
        "id": contact.id,
        "name": contact.name,
        "phone": contact.phone,
        "client_id": contact.client_id,
        "active": contact.active,
        "telegram_linked": contact.telegram_user.is_some(),
    })
}

pub fn employee_json(employee: &Employee) -> Value {
    json!({
        "id": employee.id,
        "name": employee.name,
        "phone": employee.phone,
        "active": employee.active,
        "telegram_linked": employee.telegram_user.is_some(),
    })
}
