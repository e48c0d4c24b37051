import { z } from "zod";
import { zNcpdpId, zNpi } from "../identifiers/zod";

/** `?npi=…` or `?ncpdpId=…` on the certification API (exactly one of them). */
export const ZCertificationQuery = z.object({
  npi: zNpi.optional(),
  ncpdpId: zNcpdpId.optional(),
});
export type TCertificationQuery = z.infer<typeof ZCertificationQuery>;

/** The prescriber search on the lookup page. */
export const ZPrescriberLookup = z.object({ npi: zNpi });
