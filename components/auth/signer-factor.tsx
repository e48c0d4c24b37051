import Link from "next/link";
import { type ComponentProps, forwardRef } from "react";
import { FormBanner, TextField } from "@/components/ui/field";
import { printedNameMatches, printedNameMismatchMessage } from "@/lib/signatures/rules";

/** What a signing form needs to know about the signer: their second factor and their name (read by the page). */
export interface SignerFactor {
  /** The signer has an authenticator enrolled: the form asks for its code. */
  enrolled: boolean;
  /** The programme requires a second factor of whoever e-signs. */
  required: boolean;
  /** The signer's name as their account records it: the printed name must be this name. */
  name: string;
}

/** The hint under a printed-name field: which name to type. */
export function printedNameHint(factor: SignerFactor | undefined): string {
  return factor?.name
    ? `Type your name as it appears on your account: ${factor.name}`
    : "Type your full name as it appears on your account.";
}

/**
 * The printed-name problem the form shows before sending (the server checks it again): empty, or
 * not the name on the signer's account.
 */
export function printedNameProblem(factor: SignerFactor | undefined, printedName: string): string | undefined {
  if (!printedName.trim()) return "Type your full name as your printed name";
  if (factor?.name && !printedNameMatches(printedName, factor.name)) return printedNameMismatchMessage(factor.name);
  return undefined;
}

export function mustEnrolToSign(factor: SignerFactor | undefined): boolean {
  return Boolean(factor?.required && !factor.enrolled);
}

/** In place of a signing form the signer cannot use yet: says why and where to go. */
export function EnrolToSignNotice() {
  return (
    <FormBanner kind="warn" id="enrol-to-sign">
      This programme requires two-step sign-in for electronic signatures. Set up an authenticator app on the{" "}
      <Link href="/account/security?required=1">Account security</Link> page, then come back here to sign.
    </FormBanner>
  );
}

export const SIGNATURE_CODE_LABEL = "Authentication code";
export const SIGNATURE_CODE_HINT = "The 6-digit code from your authenticator app, or one of your recovery codes.";

type StepUpCodeFieldProps = Omit<ComponentProps<typeof TextField>, "label" | "hint" | "autoComplete" | "inputMode">;

/**
 * The second-factor code asked for at every step-up (signing, API keys, account changes): an
 * authenticator code or a recovery code, so the keyboard is a text one (recovery codes have letters).
 */
export const StepUpCodeField = forwardRef<HTMLInputElement, StepUpCodeFieldProps>(function StepUpCodeField(props, ref) {
  return (
    <TextField
      ref={ref}
      label={SIGNATURE_CODE_LABEL}
      hint={SIGNATURE_CODE_HINT}
      autoComplete="one-time-code"
      inputMode="text"
      autoCapitalize="off"
      spellCheck={false}
      {...props}
    />
  );
});
