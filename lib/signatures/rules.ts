/**
 * Whose name an electronic signature prints (21 CFR 11.50, 11.100): the printed name must be the
 * signer's own name as their account records it. The account's name is the authoritative record:
 * it is set when the person creates the account or accepts an invitation, the person cannot
 * change it, and the signature row names that account. Names on an enrollment form (a prescriber's
 * or a patient's first and last name) are data the form's authors entered, not an identity.
 *
 * The comparison forgives how a name is typed, not which name it is: case, accents ("Zoe" for
 * "Zoë", "Lukasiewicz" for "Łukasiewicz"), spaces, hyphens, apostrophes and full stops, a title in
 * front ("Dr", "Prof", "Mr" …) and professional credentials after the name ("MD", "PharmD" …).
 * Pure: no database.
 */

/** Letters that carry no combining accent in Unicode and fold to the Latin letters people type for them. */
const FOLDED_LETTERS: Record<string, string> = {
  ł: "l",
  ø: "o",
  đ: "d",
  ð: "d",
  ħ: "h",
  ı: "i",
  ŀ: "l",
  ŧ: "t",
  ß: "ss",
  æ: "ae",
  œ: "oe",
  þ: "th",
};

/** Titles a signer may put before their name. */
const TITLES = new Set(["dr", "doctor", "prof", "professor", "mr", "mrs", "ms", "mx", "miss"]);

/**
 * Professional credentials a signer may put after their name (compared without full stops or
 * hyphens). Those that are also surnames (Do, Pa …) are only set apart after a comma.
 */
const CREDENTIALS = new Set([
  "md",
  "mbbs",
  "mbchb",
  "phd",
  "pharmd",
  "rph",
  "aprn",
  "cnp",
  "fnp",
  "fnpbc",
  "dnp",
  "crnp",
  "pac",
  "msn",
  "bsn",
  "mph",
  "facp",
  "faan",
]);
const CREDENTIALS_AFTER_COMMA = new Set([...CREDENTIALS, "do", "pa", "np", "rn", "ms"]);

/** The words of a name, without punctuation. */
function nameWords(name: string): string[] {
  return name
    .split(/\s+/u)
    .map((word) => word.replace(/[^\p{L}\p{N}]/gu, ""))
    .filter(Boolean);
}

/** The part of a name that identifies the person: its words without a leading title or trailing credentials. */
export function signatureNameKey(name: string): string {
  const folded = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[łøđðħıŀŧßæœþ]/g, (ch) => FOLDED_LETTERS[ch] ?? ch);
  const comma = folded.indexOf(",");
  const words = nameWords(comma === -1 ? folded : folded.slice(0, comma));
  const afterComma = comma === -1 ? [] : nameWords(folded.slice(comma + 1));
  // "Lovelace, Ada" is kept whole (and does not match "Ada Lovelace"); ", MD, FACP" is set apart.
  if (!afterComma.every((word) => CREDENTIALS_AFTER_COMMA.has(word))) words.push(...afterComma);
  while (words.length > 1 && TITLES.has(words[0] ?? "")) words.shift();
  while (words.length > 1 && CREDENTIALS.has(words[words.length - 1] ?? "")) words.pop();
  // Spaces and punctuation do not count: "Jean-Luc" is "Jean Luc", "O'Brien" is "OBrien".
  return words.join("");
}

/** Whether a typed printed name is the recorded name, typed the way people type names. */
export function printedNameMatches(printedName: string, recordedName: string): boolean {
  const typed = signatureNameKey(printedName);
  return typed !== "" && typed === signatureNameKey(recordedName);
}

/** The field error for a printed name that is not the signer's: it names the one expected. */
export function printedNameMismatchMessage(recordedName: string): string {
  return `Type your name as it appears on your account: ${recordedName}`;
}
