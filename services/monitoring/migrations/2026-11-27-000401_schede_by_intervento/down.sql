DROP INDEX schede_intervento_state;
