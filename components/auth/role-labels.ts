import type { Role } from "@/lib/generated/prisma/enums";

export const ROLE_LABELS: Record<Role, string> = {
  PRESCRIBER: "Prescriber",
  PRESCRIBER_DELEGATE: "Prescriber delegate",
  PHARMACIST: "Pharmacy",
  SETTING_REP: "Healthcare setting",
  PATIENT: "Patient",
  ADMIN: "REMS administrator",
};
