import Link from "next/link";
import { REGISTRY_LIST_LABELS } from "@/lib/format";
import { REGISTRY_KINDS, type RegistryKind } from "@/lib/registry/rules";

/** The four lists of the registry, the current one marked. */
export function RegistryNav({ current }: { current?: RegistryKind }) {
  return (
    <nav aria-label="Registry lists" className="section-nav">
      {REGISTRY_KINDS.map((kind) => (
        <Link key={kind} href={`/admin/registry/${kind}`} aria-current={kind === current ? "page" : undefined}>
          {REGISTRY_LIST_LABELS[kind]}
        </Link>
      ))}
    </nav>
  );
}
