// @generated automatically by Diesel CLI.

diesel::table! {
    acknowledgements (scheda_id, change_seq) {
        scheda_id -> Uuid,
        change_seq -> Int8,
        transmitted_at -> Timestamptz,
        outcome -> Text,
        message -> Nullable<Text>,
        actor -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    cost_plan_years (id) {
        id -> Uuid,
        intervento_code -> Text,
        year -> Int4,
        realised -> Numeric,
        to_realise -> Numeric,
        recorded_by -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    defaults (id) {
        id -> Uuid,
        obligation -> Text,
        semester -> Text,
        party -> Text,
        description -> Text,
        opened_on -> Date,
        deadline -> Nullable<Date>,
        state -> Text,
        resolved_on -> Nullable<Date>,
        referred_on -> Nullable<Date>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    economies (id) {
        id -> Uuid,
        intervento_code -> Text,
        fund -> Text,
        amount -> Numeric,
        ascertained_on -> Date,
        note -> Nullable<Text>,
        recorded_by -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    indicators (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        unit -> Text,
        intervento_code -> Nullable<Text>,
        baseline -> Nullable<Numeric>,
        target -> Nullable<Numeric>,
        source_ref -> Nullable<Text>,
    }
}

diesel::table! {
    measurements (indicator_id, semester) {
        indicator_id -> Uuid,
        semester -> Text,
        value -> Numeric,
        actor -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    movements (id) {
        id -> Uuid,
        intervento_code -> Text,
        kind -> Text,
        code -> Text,
        tipologia -> Text,
        on_date -> Date,
        amount -> Numeric,
        causale -> Nullable<Text>,
        note -> Nullable<Text>,
        recorded_by -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    obligations_done (kind, semester) {
        kind -> Text,
        semester -> Text,
        done_on -> Date,
        act_ref -> Nullable<Text>,
        actor -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    operation_periods (id) {
        id -> Uuid,
        intervento_code -> Text,
        service_number -> Nullable<Int4>,
        verified_from -> Date,
        verified_to -> Date,
        act_ref -> Nullable<Text>,
        actor -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    phase_plan_changes (id) {
        id -> Int8,
        phase_id -> Uuid,
        planned_start -> Nullable<Date>,
        planned_end -> Nullable<Date>,
        reason -> Text,
        changed_by -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    phases (id) {
        id -> Uuid,
        intervento_code -> Text,
        code -> Text,
        planned_start -> Nullable<Date>,
        planned_end -> Nullable<Date>,
        actual_start -> Nullable<Date>,
        actual_end -> Nullable<Date>,
        recorded_by -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    puc_projects (id) {
        id -> Uuid,
        intervento_code -> Text,
        local_code -> Text,
        natura_cup -> Nullable<Text>,
        cod_regione -> Nullable<Text>,
        cod_provincia -> Nullable<Text>,
        cod_comune -> Nullable<Text>,
        source_ref -> Nullable<Text>,
        cancelled_on -> Nullable<Date>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    puc_transmission_records (transmission_id, progressivo) {
        transmission_id -> Uuid,
        progressivo -> Int8,
        structure -> Text,
        intervento_code -> Text,
        entity -> Text,
        deleted -> Bool,
        fields -> Array<Nullable<Text>>,
        refusal_class -> Nullable<Int2>,
        errors -> Jsonb,
    }
}

diesel::table! {
    puc_transmissions (id) {
        id -> Uuid,
        seq -> Int8,
        semester -> Text,
        as_of -> Date,
        sender -> Text,
        records -> Int8,
        file -> Text,
        sent_by -> Text,
        response -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamptz>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    report_issues (id) {
        id -> Uuid,
        semester -> Text,
        version -> Int4,
        issued_on -> Date,
        issued_at -> Timestamptz,
        issued_by -> Text,
        reason -> Nullable<Text>,
        data -> Text,
        data_sha256 -> Text,
        html -> Text,
        html_sha256 -> Text,
        pdf -> Bytea,
        pdf_sha256 -> Text,
    }
}

diesel::table! {
    scheda_events (id) {
        id -> Int8,
        scheda_id -> Uuid,
        from_state -> Nullable<Text>,
        to_state -> Text,
        actor -> Text,
        note -> Nullable<Text>,
        at -> Timestamptz,
    }
}

diesel::table! {
    schede (id) {
        id -> Uuid,
        intervento_id -> Uuid,
        intervento_code -> Text,
        semester -> Text,
        state -> Text,
        sal -> Numeric,
        planned_sal -> Nullable<Numeric>,
        commitments -> Numeric,
        payments -> Numeric,
        activities -> Jsonb,
        obstacles -> Nullable<Text>,
        corrective_actions -> Nullable<Text>,
        intervento -> Jsonb,
        return_reason -> Nullable<Text>,
        change_seq -> Nullable<Int8>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    soggetti (id) {
        id -> Uuid,
        intervento_code -> Text,
        role -> Int2,
        name -> Text,
        codice_fiscale -> Nullable<Text>,
        public -> Nullable<Bool>,
        ipa -> Nullable<Text>,
        source_ref -> Nullable<Text>,
        recorded_by -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    verifications (id) {
        id -> Uuid,
        intervento_code -> Text,
        kind -> Text,
        verified_on -> Date,
        act_ref -> Text,
        verified_by -> Text,
        holds -> Bool,
        note -> Nullable<Text>,
        recorded_by -> Text,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(acknowledgements -> schede (scheda_id));
diesel::joinable!(measurements -> indicators (indicator_id));
diesel::joinable!(phase_plan_changes -> phases (phase_id));
diesel::joinable!(puc_transmission_records -> puc_transmissions (transmission_id));
diesel::joinable!(scheda_events -> schede (scheda_id));

diesel::allow_tables_to_appear_in_same_query!(
    acknowledgements,
    cost_plan_years,
    defaults,
    economies,
    indicators,
    measurements,
    movements,
    obligations_done,
    operation_periods,
    phase_plan_changes,
    phases,
    puc_projects,
    puc_transmission_records,
    puc_transmissions,
    report_issues,
    scheda_events,
    schede,
    soggetti,
    verifications,
);
