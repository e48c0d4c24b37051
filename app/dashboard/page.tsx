import { redirect } from "next/navigation";
import { ROLE_HOME } from "@/lib/auth/permissions";
import { getPageActor } from "@/lib/auth/session";

/** After sign-in: each role lands on its own dashboard. */
export default async function DashboardRedirect() {
  const actor = await getPageActor();
  redirect(actor ? ROLE_HOME[actor.role] : "/sign-in");
}
