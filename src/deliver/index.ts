export { smtpReplyCode, toDeliveryError } from "./errors.js";
export { dkimOptions, type MailerSigning, toMailOptions } from "./message.js";
export { OutboxMailer } from "./outbox.js";
export { RawEditionMessage, type RawEditionSettings, type RawRecipient } from "./raw.js";
export { SmtpMailer, type SmtpPoolSettings, type SmtpSettings } from "./smtp.js";
export { ThreadedSmtpMailer } from "./smtp-thread.js";
export { createHubNotifier, type HubNotifierOptions } from "./websub.js";
