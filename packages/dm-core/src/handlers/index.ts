// Barrel of the SCSI device handlers (owned by the handlers engineer). Placeholder until they
// land: kernel/builtin-modules.ts reads aluaHandler, emcHandler, rdacHandler, hpSwHandler from here.
export {};
