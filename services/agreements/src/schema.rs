// @generated automatically by Diesel CLI.

diesel::table! {
    accordi (id) {
        id -> Uuid,
        code -> Text,
        title -> Text,
        signed_on -> Nullable<Date>,
        signatories -> Array<Text>,
        source_ref -> Nullable<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    activities (id) {
        id -> Uuid,
        intervento_id -> Uuid,
        code -> Text,
        phase -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        start_on -> Nullable<Date>,
        end_on -> Nullable<Date>,
        responsible -> Nullable<Text>,
        profiles -> Nullable<Text>,
        products -> Nullable<Text>,
        validation_criteria -> Nullable<Text>,
        service_number -> Nullable<Int4>,
        source_ref -> Nullable<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        dates_as_written -> Nullable<Text>,
    }
}

diesel::table! {
    activity_costs (activity_id, category) {
        activity_id -> Uuid,
        category -> Text,
        amount -> Numeric,
    }
}

diesel::table! {
    atti_integrativi (id) {
        id -> Uuid,
        accordo_id -> Uuid,
        number -> Int4,
        title -> Text,
        signed_on -> Nullable<Date>,
        signatories -> Array<Text>,
        status -> Text,
        source_ref -> Nullable<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    conciliations (id) {
        id -> Uuid,
        atto_id -> Uuid,
        intervento_id -> Nullable<Uuid>,
        subject -> Text,
        parties -> Array<Text>,
        state -> Text,
        invited_on -> Date,
        agreed_on -> Nullable<Date>,
        verbale_ref -> Nullable<Text>,
        referred_on -> Nullable<Date>,
        decision_id -> Nullable<Uuid>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    cost_lines (id) {
        id -> Uuid,
        intervento_id -> Uuid,
        category -> Text,
        funding -> Text,
        period -> Text,
        amount -> Numeric,
        source_ref -> Nullable<Text>,
    }
}

diesel::table! {
    financing_sources (id) {
        id -> Uuid,
        intervento_id -> Uuid,
        position -> Int4,
        contributor -> Text,
        heading -> Text,
        legal_basis -> Text,
        amount -> Numeric,
        cnipa -> Bool,
        source_ref -> Nullable<Text>,
    }
}

diesel::table! {
    interventi (id) {
        id -> Uuid,
        atto_id -> Uuid,
        code -> Text,
        title -> Text,
        kind -> Text,
        sezione -> Text,
        state -> Text,
        #[max_length = 15]
        cup -> Nullable<Bpchar>,
        localisation -> Nullable<Text>,
        objective -> Nullable<Text>,
        soggetti_coinvolti -> Nullable<Text>,
        economic_social_impact -> Nullable<Text>,
        activities_and_services -> Nullable<Text>,
        financing_description -> Nullable<Text>,
        phases_financed -> Nullable<Text>,
        activation_mode -> Nullable<Text>,
        administrative_steps -> Nullable<Text>,
        design_level -> Nullable<Text>,
        total_cost -> Numeric,
        cnipa_cofinancing -> Numeric,
        reuse_agreements_formalised_on -> Nullable<Date>,
        progetto_esecutivo_validated_on -> Nullable<Date>,
        source_ref -> Nullable<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        started_on -> Nullable<Date>,
        non_activation -> Nullable<Jsonb>,
        progetto_esecutivo_approval -> Nullable<Jsonb>,
    }
}

diesel::table! {
    persons (id) {
        id -> Uuid,
        name -> Text,
        organisation -> Nullable<Text>,
        email -> Nullable<Text>,
        source_ref -> Nullable<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    responsibilities (id) {
        id -> Uuid,
        person_id -> Uuid,
        role -> Text,
        accordo_id -> Nullable<Uuid>,
        intervento_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    tavolo_decisions (id) {
        id -> Uuid,
        atto_id -> Uuid,
        intervento_id -> Nullable<Uuid>,
        kind -> Text,
        decided_on -> Date,
        verbale_ref -> Nullable<Text>,
        summary -> Text,
        payload -> Jsonb,
        actor -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    tranche_transitions (id) {
        id -> Int8,
        tranche_id -> Uuid,
        from_state -> Text,
        to_state -> Text,
        at -> Timestamptz,
        actor -> Text,
        reason -> Text,
        act_ref -> Nullable<Text>,
        evaluation -> Nullable<Jsonb>,
        effective_on -> Date,
    }
}

diesel::table! {
    tranches (id) {
        id -> Uuid,
        intervento_id -> Uuid,
        seq -> Int4,
        share -> Numeric,
        amount -> Numeric,
        condition -> Text,
        requires_plan_approved -> Bool,
        requires_progetto_esecutivo -> Bool,
        sal_verification -> Nullable<Int4>,
        sal_threshold -> Nullable<Numeric>,
        adhesion_share_threshold -> Nullable<Numeric>,
        months_of_operation -> Nullable<Int4>,
        state -> Text,
        version -> Int8,
        updated_at -> Timestamptz,
        requires_services_usable -> Bool,
        requires_admissibility -> Bool,
        requires_completion -> Bool,
    }
}

diesel::joinable!(activities -> interventi (intervento_id));
diesel::joinable!(activity_costs -> activities (activity_id));
diesel::joinable!(atti_integrativi -> accordi (accordo_id));
diesel::joinable!(conciliations -> atti_integrativi (atto_id));
diesel::joinable!(conciliations -> interventi (intervento_id));
diesel::joinable!(conciliations -> tavolo_decisions (decision_id));
diesel::joinable!(cost_lines -> interventi (intervento_id));
diesel::joinable!(financing_sources -> interventi (intervento_id));
diesel::joinable!(interventi -> atti_integrativi (atto_id));
diesel::joinable!(responsibilities -> accordi (accordo_id));
diesel::joinable!(responsibilities -> interventi (intervento_id));
diesel::joinable!(responsibilities -> persons (person_id));
diesel::joinable!(tavolo_decisions -> atti_integrativi (atto_id));
diesel::joinable!(tavolo_decisions -> interventi (intervento_id));
diesel::joinable!(tranche_transitions -> tranches (tranche_id));
diesel::joinable!(tranches -> interventi (intervento_id));

diesel::allow_tables_to_appear_in_same_query!(
    accordi,
    activities,
    activity_costs,
    atti_integrativi,
    conciliations,
    cost_lines,
    financing_sources,
    interventi,
    persons,
    responsibilities,
    tavolo_decisions,
    tranche_transitions,
    tranches,
);
