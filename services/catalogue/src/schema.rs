// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    budget (id) {
        id -> Bool,
        two_year_budget -> Numeric,
        management_model -> Numeric,
        source_ref -> Nullable<Text>,
    }
}

diesel::table! {
    service_versions (service_number, version) {
        service_number -> Int4,
        version -> Int4,
        status -> Text,
        record -> Jsonb,
        changed_by -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    services (number) {
        number -> Int4,
        name -> Text,
        ambito -> Nullable<Text>,
        tipologia -> Nullable<Text>,
        availability -> Text,
        pricing_models -> Array<Text>,
        status -> Text,
        current_version -> Int4,
        search_text -> Text,
        search -> Nullable<Tsvector>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(service_versions -> services (service_number));

diesel::allow_tables_to_appear_in_same_query!(budget, service_versions, services,);
