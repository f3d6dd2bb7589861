/* Secrets from the user's own tools: runs a password-command (pass,
 * secret-tool, an OAuth2 helper) under a time limit and takes the first
 * line it prints. Passwords are never stored anywhere by tern. */
#ifndef TERN_PASSWORD_H
#define TERN_PASSWORD_H

/* setting names the command in messages ("password-command",
 * "oauth2-token-command"). Runs command with /bin/sh -c, its stdin and the terminal left to it (so
 * pinentry and prompts work), and waits at most timeout_ms. Returns 0 and
 * sets *secret_r (free it with password_free()) to the first line of its
 * output, without the line end; or returns -1 and sets *error_r (free()
 * it) to a sentence naming the failure: exit status and the first line of
 * its stderr, a signal, the time limit, or empty output. */
int password_run(const char *setting, const char *command, int timeout_ms,
    char **secret_r, char **error_r);

/* Asks on the controlling terminal with echo off. Returns 0 and sets
 * *secret_r, or -1 and sets *error_r (no terminal, empty answer). */
int password_prompt(const char *prompt, char **secret_r, char **error_r);

/* Wipes and frees a secret from password_run(); NULL is fine. */
void password_free(char *secret);

#endif
