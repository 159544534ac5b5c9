/** The languages the subscription pages and their emails are written in. */
export type PageLanguage = "id" | "en";
export const pageLanguages: readonly PageLanguage[] = ["id", "en"];

/** The words of the subscription pages and of their emails, in one language. */
export interface PageStrings {
  /** Name of the language in itself, for the language switch and the language choice. */
  languageName: string;
  /** Label of the link to the page in the other language. */
  switchTo: string;
  skipToContent: string;
  archiveLink: string;
  subscribeLink: string;

  subscribeTitle: string;
  subscribeIntro: string;
  subscribeButton: string;
  errorSummary: string;
  email: string;
  emailHint: string;
  name: string;
  nameHint: string;
  language: string;
  frequency: string;
  daily: string;
  weekly: string;
  categories: string;
  categoriesHint: string;
  timezone: string;
  timezoneOther: string;
  timezoneOtherLabel: string;
  timezoneOtherHint: string;
  /** Names of the Indonesian zones, by IANA name. */
  zoneNames: Record<string, string>;

  invalidEmail: string;
  nameTooLong: string;
  invalidLanguage: string;
  invalidFrequency: string;
  invalidTimezone: string;

  checkInboxTitle: string;
  checkInboxText: string;
  checkInboxSpam: string;

  /** The page a confirmation link opens: one button, so that link scanners confirm nothing. */
  confirmTitle: string;
  /** {site} and {email} are replaced. */
  confirmText: string;
  confirmSubmit: string;
  confirmedTitle: string;
  confirmedText: string;
  preferencesLink: string;

  expiredTitle: string;
  expiredText: string;
  subscribeAgain: string;

  invalidLinkTitle: string;
  invalidLinkText: string;

  preferencesTitle: string;
  preferencesFor: string;
  preferencesSave: string;
  preferencesSaved: string;
  notSubscribedNotice: string;
  unsubscribeLink: string;

  unsubscribeTitle: string;
  unsubscribeText: string;
  unsubscribeButton: string;
  unsubscribedTitle: string;
  unsubscribedText: string;
  resubscribe: string;
  /** The whole body of a one-click (RFC 8058) answer. */
  unsubscribedPlain: string;

  archiveTitle: string;
  archiveEmpty: string;

  tooManyTitle: string;
  tooManyText: string;
  tooLargeTitle: string;
  tooLargeText: string;
  unsupportedTitle: string;
  unsupportedText: string;
  methodTitle: string;
  methodText: string;
  errorTitle: string;
  errorText: string;

  /** Email asking to confirm a subscription; {site} and {hours} are replaced. */
  confirmSubject: string;
  confirmGreeting: string;
  confirmBody: string;
  confirmButton: string;
  confirmExpiry: string;
  confirmIgnore: string;
  /** Email to an address that is already subscribed. */
  alreadySubject: string;
  alreadyBody: string;
  alreadyPreferences: string;
  alreadyIgnore: string;
}

const indonesian: PageStrings = {
  languageName: "Bahasa Indonesia",
  switchTo: "Bahasa Indonesia",
  skipToContent: "Langsung ke isi",
  archiveLink: "Arsip buletin",
  subscribeLink: "Berlangganan",

  subscribeTitle: "Berlangganan buletin",
  subscribeIntro:
    "Terima ringkasan berita {site} lewat email. Kami akan mengirim email konfirmasi lebih dulu.",
  subscribeButton: "Berlangganan",
  errorSummary: "Periksa isian berikut",
  email: "Alamat email",
  emailHint: "Contoh: nama@contoh.id",
  name: "Nama (tidak wajib)",
  nameHint: "Dipakai untuk menyapa Anda di email.",
  language: "Bahasa",
  frequency: "Seberapa sering",
  daily: "Setiap hari",
  weekly: "Seminggu sekali",
  categories: "Kategori",
  categoriesHint: "Tidak memilih satu pun berarti semua kategori.",
  timezone: "Zona waktu",
  timezoneOther: "Lainnya (tulis di bawah)",
  timezoneOtherLabel: "Zona waktu lain",
  timezoneOtherHint: "Nama zona IANA, misalnya Asia/Singapore. Hanya dipakai jika memilih Lainnya.",
  zoneNames: {
    "Asia/Jakarta": "WIB (Asia/Jakarta)",
    "Asia/Makassar": "WITA (Asia/Makassar)",
    "Asia/Jayapura": "WIT (Asia/Jayapura)",
  },

  invalidEmail: "Alamat email: tulis alamat email yang valid, misalnya nama@contoh.id.",
  nameTooLong: "Nama: paling banyak 100 karakter.",
  invalidLanguage: "Bahasa: pilih Bahasa Indonesia atau English.",
  invalidFrequency: "Seberapa sering: pilih setiap hari atau seminggu sekali.",
  invalidTimezone: "Zona waktu: tulis nama zona IANA yang dikenal, misalnya Asia/Singapore.",

  checkInboxTitle: "Periksa kotak masuk Anda",
  checkInboxText:
    "Jika alamat itu bisa menerima buletin kami, sebuah email sudah dikirim ke sana. Buka tautan di dalamnya untuk menyelesaikan langganan.",
  checkInboxSpam: "Tidak ada email dalam beberapa menit? Periksa folder spam.",

  confirmTitle: "Konfirmasi langganan",
  confirmText: "Tekan tombol di bawah untuk mulai menerima buletin {site} di {email}.",
  confirmSubmit: "Ya, saya mau berlangganan",
  confirmedTitle: "Langganan aktif",
  confirmedText: "Terima kasih. Anda akan menerima buletin {site}.",
  preferencesLink: "Atur preferensi",

  expiredTitle: "Tautan sudah kedaluwarsa",
  expiredText:
    "Tautan konfirmasi ini sudah terlalu lama atau tidak berlaku lagi. Isi formulir sekali lagi untuk menerima tautan baru.",
  subscribeAgain: "Isi formulir langganan",

  invalidLinkTitle: "Tautan tidak valid",
  invalidLinkText:
    "Tautan ini tidak lengkap atau tidak valid. Salin seluruh tautan dari email Anda, atau berlangganan lagi.",

  preferencesTitle: "Preferensi buletin",
  preferencesFor: "Preferensi untuk {email}",
  preferencesSave: "Simpan",
  preferencesSaved: "Preferensi Anda sudah disimpan.",
  notSubscribedNotice: "Saat ini Anda tidak menerima buletin.",
  unsubscribeLink: "Berhenti berlangganan",

  unsubscribeTitle: "Berhenti berlangganan",
  unsubscribeText: "Tekan tombol di bawah untuk berhenti menerima buletin {site}.",
  unsubscribeButton: "Berhenti berlangganan",
  unsubscribedTitle: "Anda sudah berhenti berlangganan",
  unsubscribedText: "Anda tidak akan menerima buletin {site} lagi.",
  resubscribe: "Berlangganan lagi",
  unsubscribedPlain: "Berhenti berlangganan berhasil.",

  archiveTitle: "Arsip buletin",
  archiveEmpty: "Belum ada edisi.",

  tooManyTitle: "Terlalu banyak permintaan",
  tooManyText: "Terlalu banyak permintaan dari alamat Anda. Coba lagi dalam {minutes} menit.",
  tooLargeTitle: "Isian terlalu besar",
  tooLargeText: "Formulir yang dikirim terlalu besar.",
  unsupportedTitle: "Format tidak didukung",
  unsupportedText: "Kirim formulir ini dari halaman langganan.",
  methodTitle: "Metode tidak diizinkan",
  methodText: "Halaman ini tidak menerima permintaan seperti itu.",
  errorTitle: "Terjadi kesalahan",
  errorText: "Maaf, permintaan Anda tidak bisa diproses sekarang. Coba lagi nanti.",

  confirmSubject: "Konfirmasi langganan {site}",
  confirmGreeting: "Halo{name},",
  confirmBody: "Seseorang (semoga Anda) ingin berlangganan buletin {site} dengan alamat ini.",
  confirmButton: "Konfirmasi langganan",
  confirmExpiry: "Tautan ini berlaku {hours} jam.",
  confirmIgnore: "Jika Anda tidak memintanya, abaikan email ini: Anda tidak akan didaftarkan.",
  alreadySubject: "Anda sudah berlangganan {site}",
  alreadyBody: "Alamat ini sudah berlangganan buletin {site}; tidak ada yang perlu dilakukan.",
  alreadyPreferences: "Atur preferensi Anda",
  alreadyIgnore: "Jika Anda tidak meminta email ini, abaikan saja.",
};

const english: PageStrings = {
  languageName: "English",
  switchTo: "English",
  skipToContent: "Skip to content",
  archiveLink: "Newsletter archive",
  subscribeLink: "Subscribe",

  subscribeTitle: "Subscribe to the newsletter",
  subscribeIntro: "Get {site}'s news digest by email. We will send you a confirmation email first.",
  subscribeButton: "Subscribe",
  errorSummary: "Please check the following",
  email: "Email address",
  emailHint: "For example: name@example.org",
  name: "Name (optional)",
  nameHint: "Used to greet you in emails.",
  language: "Language",
  frequency: "How often",
  daily: "Every day",
  weekly: "Once a week",
  categories: "Categories",
  categoriesHint: "Choosing none means every category.",
  timezone: "Time zone",
  timezoneOther: "Other (type it below)",
  timezoneOtherLabel: "Other time zone",
  timezoneOtherHint: "An IANA zone name such as Asia/Singapore. Used only when Other is chosen.",
  zoneNames: {
    "Asia/Jakarta": "WIB, Western Indonesia (Asia/Jakarta)",
    "Asia/Makassar": "WITA, Central Indonesia (Asia/Makassar)",
    "Asia/Jayapura": "WIT, Eastern Indonesia (Asia/Jayapura)",
  },

  invalidEmail: "Email address: enter a valid email address, such as name@example.org.",
  nameTooLong: "Name: at most 100 characters.",
  invalidLanguage: "Language: choose Bahasa Indonesia or English.",
  invalidFrequency: "How often: choose every day or once a week.",
  invalidTimezone: "Time zone: enter a known IANA zone name, such as Asia/Singapore.",

  checkInboxTitle: "Check your inbox",
  checkInboxText:
    "If that address can receive our newsletter, an email is on its way to it. Open the link inside to finish subscribing.",
  checkInboxSpam: "Nothing after a few minutes? Look in your spam folder.",

  confirmTitle: "Confirm your subscription",
  confirmText: "Press the button below to start receiving the {site} newsletter at {email}.",
  confirmSubmit: "Confirm my subscription",
  confirmedTitle: "You are subscribed",
  confirmedText: "Thank you. You will receive the {site} newsletter.",
  preferencesLink: "Manage preferences",

  expiredTitle: "This link has expired",
  expiredText:
    "This confirmation link is too old or no longer applies. Fill in the form again to get a new link.",
  subscribeAgain: "Go to the subscription form",

  invalidLinkTitle: "Link not valid",
  invalidLinkText:
    "This link is incomplete or not valid. Copy the whole link from your email, or subscribe again.",

  preferencesTitle: "Newsletter preferences",
  preferencesFor: "Preferences for {email}",
  preferencesSave: "Save",
  preferencesSaved: "Your preferences have been saved.",
  notSubscribedNotice: "You are not receiving the newsletter at the moment.",
  unsubscribeLink: "Unsubscribe",

  unsubscribeTitle: "Unsubscribe",
  unsubscribeText: "Press the button below to stop receiving the {site} newsletter.",
  unsubscribeButton: "Unsubscribe",
  unsubscribedTitle: "You have unsubscribed",
  unsubscribedText: "You will not receive the {site} newsletter any more.",
  resubscribe: "Subscribe again",
  unsubscribedPlain: "You have been unsubscribed.",

  archiveTitle: "Newsletter archive",
  archiveEmpty: "No editions yet.",

  tooManyTitle: "Too many requests",
  tooManyText: "Too many requests from your address. Try again in {minutes} minutes.",
  tooLargeTitle: "Form too large",
  tooLargeText: "The form you sent is too large.",
  unsupportedTitle: "Unsupported format",
  unsupportedText: "Send this form from the subscription page.",
  methodTitle: "Method not allowed",
  methodText: "This page does not accept that kind of request.",
  errorTitle: "Something went wrong",
  errorText: "Sorry, your request cannot be handled right now. Please try again later.",

  confirmSubject: "Confirm your subscription to {site}",
  confirmGreeting: "Hello{name},",
  confirmBody: "Someone (hopefully you) asked to subscribe this address to the {site} newsletter.",
  confirmButton: "Confirm my subscription",
  confirmExpiry: "This link is valid for {hours} hours.",
  confirmIgnore: "If you did not ask for this, ignore this email: you will not be subscribed.",
  alreadySubject: "You are already subscribed to {site}",
  alreadyBody: "This address already receives the {site} newsletter; there is nothing to do.",
  alreadyPreferences: "Manage your preferences",
  alreadyIgnore: "If you did not ask for this email, just ignore it.",
};

const strings: Record<PageLanguage, PageStrings> = { id: indonesian, en: english };

/** The page strings of a language. */
export function pageStrings(language: PageLanguage): PageStrings {
  return strings[language];
}

/** Replaces `{key}` placeholders in a string; unknown keys are left as they are. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}
