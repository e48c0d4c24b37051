import type { Role } from "@/lib/generated/prisma/enums";
import { ROLE_LABELS as LABELS } from "@/lib/format";

export const ROLE_LABELS: Record<Role, string> = LABELS;
