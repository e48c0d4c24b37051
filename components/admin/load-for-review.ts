import "server-only";
import { notFound } from "next/navigation";
import { requirePagePermission } from "@/lib/auth/session";
import { getApplicationForReview } from "@/lib/certification/service";
import { isAppError } from "@/lib/errors";

/** Loads one application for an administrator's page: 404 when there is no such application. */
export async function loadForReview(path: string, id: string) {
  const actor = await requirePagePermission("enrollment:read:any", path);
  try {
    return await getApplicationForReview(actor, id);
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}
