//! `apq`: the developer's CLI. Generates the local dev key pair and mints dev tokens.
//!
//!     apq keys                                   # creates .data/keys/{private,public}.pem if missing
//!     apq token --role responsabile_accordo      # prints a token for all four services
//!     apq token --role ente --ente 048017 --service adhesion

use std::io::Write;
use std::path::PathBuf;

use apq_domain::Role;
use apq_platform::devkeys::{KeyPair, TokenRequest};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "apq", about = "APQ developer tools: dev keys and tokens")]
struct Cli {
    /// Where the dev key pair lives (never commit it).
    #[arg(
        long,
        env = "APQ_KEYS_DIR",
        default_value = ".data/keys",
        global = true
    )]
    keys: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the dev key pair if missing and print the public key's path.
    Keys,
    /// Mint a dev token signed with the dev private key.
    Token {
        /// A role: admin, responsabile_accordo, responsabile_intervento, ente, auditor, sync, cnipa (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// The body an `ente` token acts for (an ISTAT code or an aggregation id).
        #[arg(long)]
        ente: Option<String>,
        /// Interventions a responsabile_intervento answers for (repeatable).
        #[arg(long = "intervento")]
        interventi: Vec<String>,
        /// The services the token is for (repeatable); all four by default.
        #[arg(long = "service")]
        services: Vec<String>,
        #[arg(long, default_value = "dev")]
        subject: String,
        #[arg(long, default_value = "apq-dev")]
        issuer: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 8 * 3600)]
        ttl: i64,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let pair = KeyPair::load_or_generate(&cli.keys)?;
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Keys => {
            writeln!(out, "{}", KeyPair::public_path(&cli.keys).display())?;
        }
        Command::Token {
            roles,
            ente,
            interventi,
            services,
            subject,
            issuer,
            ttl,
        } => {
            let request = TokenRequest {
                subject,
                roles,
                ente,
                interventi,
                services,
                issuer,
                ttl_secs: ttl,
            };
            writeln!(out, "{}", pair.sign(&request.claims())?)?;
        }
    }
    drop(pair);
    Ok(())
}
