//! The directory: `CLIENT#<id>` (`name`, `manager_id`, `vip`), `CONTACT#<id>` (`name`, `phone`
//! in E.164, `client_id`, `active`, `tg_user`), `EMPLOYEE#<id>` (`name`, `phone`, `tg_user`).
//! Contacts and employees are found by phone through the `ByPhone` index.

use crate::dialogue::{ContactMatch, EmployeeMatch};
use crate::domain::{Client, Contact, Employee};
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::phone::Phone;
use crate::ports::StoreError;
use chrono::{DateTime, Utc};

pub fn client_to_item(client: &Client) -> Item {
    let mut item = keyed(keys::client(&client.id));
    item.extend([
        ("id".to_owned(), s(&client.id)),
        ("name".to_owned(), s(&client.name)),
        ("vip".to_owned(), b(client.vip)),
    ]);
    if let Some(manager) = &client.manager_id {
        item.insert("manager_id".into(), s(manager));
    }
    item
}

pub fn client_from_item(item: &Item) -> Result<Client, StoreError> {
    Ok(Client {
        id: required_s(item, "id")?,
        name: required_s(item, "name")?,
        manager_id: get_s(item, "manager_id").map(str::to_owned),
        vip: get_bool(item, "vip").unwrap_or(false),
    })
}

pub fn contact_to_item(contact: &Contact, now: DateTime<Utc>) -> Item {
    let mut item = keyed(keys::contact(&contact.id));
    item.extend([
        ("id".to_owned(), s(&contact.id)),
        ("name".to_owned(), s(&contact.name)),
        ("phone".to_owned(), s(contact.phone.as_str())),
        ("client_id".to_owned(), s(&contact.client_id)),
        ("active".to_owned(), b(contact.active)),
        ("updated_at".to_owned(), time(now)),
    ]);
    if let Some(user) = contact.telegram_user {
        item.insert("tg_user".into(), n(user));
    }
    item
}

pub fn contact_from_item(item: &Item) -> Result<Contact, StoreError> {
    Ok(Contact {
        id: required_s(item, "id")?,
        name: required_s(item, "name")?,
        phone: phone(item)?.ok_or_else(|| corrupt("contact phone"))?,
        client_id: required_s(item, "client_id")?,
        active: get_bool(item, "active").unwrap_or(false),
        telegram_user: get_u64(item, "tg_user"),
    })
}

pub fn employee_to_item(employee: &Employee) -> Item {
    let mut item = keyed(keys::employee(&employee.id));
    item.extend([
        ("id".to_owned(), s(&employee.id)),
        ("name".to_owned(), s(&employee.name)),
        ("active".to_owned(), b(employee.active)),
    ]);
    if let Some(phone) = &employee.phone {
        item.insert("phone".into(), s(phone.as_str()));
    }
    if let Some(user) = employee.telegram_user {
        item.insert("tg_user".into(), n(user));
    }
    item
}

pub fn employee_from_item(item: &Item) -> Result<Employee, StoreError> {
    Ok(Employee {
        id: required_s(item, "id")?,
        name: required_s(item, "name")?,
        phone: phone(item)?,
        // Employees stored before deactivation existed are active.
        active: get_bool(item, "active").unwrap_or(true),
        telegram_user: get_u64(item, "tg_user"),
    })
}

/// A contact found by phone; the company's name is filled in later, when it is needed.
pub fn contact_match(item: &Item) -> Result<ContactMatch, StoreError> {
    Ok(ContactMatch {
        contact_id: required_s(item, "id")?,
        client_id: required_s(item, "client_id")?,
        client_name: String::new(),
        name: required_s(item, "name")?,
        active: get_bool(item, "active").unwrap_or(false),
        linked_user: get_u64(item, "tg_user"),
    })
}

pub fn employee_match(item: &Item) -> Result<EmployeeMatch, StoreError> {
    Ok(EmployeeMatch {
        employee_id: required_s(item, "id")?,
        name: required_s(item, "name")?,
        active: get_bool(item, "active").unwrap_or(true),
        linked_user: get_u64(item, "tg_user"),
    })
}

fn phone(item: &Item) -> Result<Option<Phone>, StoreError> {
    match get_s(item, "phone") {
        Some(text) => Phone::from_e164(text).map(Some).ok_or_else(|| corrupt("phone")),
        None => Ok(None),
    }
}
