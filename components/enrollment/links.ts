import type { StepId } from "@/lib/enrollment/rules";

/** URL segment of each step page under /enroll/{programme}/. */
export const STEP_SEGMENT: Record<StepId, string> = {
  details: "details",
  training: "training",
  assessment: "assessment",
  sign: "review",
};

/** Keeps a delegate's chosen prescriber on every link (`?for=`). */
export function withFor(href: string, forPrescriberId: string | null | undefined): string {
  if (!forPrescriberId) return href;
  const [path, hash] = href.split("#");
  const separator = path?.includes("?") ? "&" : "?";
  return `${path}${separator}for=${encodeURIComponent(forPrescriberId)}${hash ? `#${hash}` : ""}`;
}

export function stepHref(programCode: string, step: StepId, forPrescriberId?: string | null, hash?: string): string {
  return withFor(`/enroll/${programCode}/${STEP_SEGMENT[step]}${hash ? `#${hash}` : ""}`, forPrescriberId);
}

export function trainingSectionAnchor(sectionId: string): string {
  return `section-${sectionId}`;
}
