/*
 * What the model derives from what was read: lookups, the indicator,
 * groups and the page's updated_at.
 */

#ifndef SE_DERIVE_H
#define SE_DERIVE_H

#include "se_core.h"
#include "se_model.h"

/* lookups; NULL when absent */
const se_component_t *se_model_component(const se_model_t *m,
    const char *id, size_t len);
const se_i18n_t *se_i18n_find(const se_i18n_t *list, const char *lang,
    size_t len);

/*
 * The indicator of the model: with internal == 0 only public incidents
 * and maintenances count (what the JSON documents show), with 1 all.
 */
se_indicator_e se_model_indicator(const se_model_t *m, int internal);

/* whether rec lists comp, or a child of comp when comp is a group */
int se_record_touches(const se_model_t *m, const se_incident_t *rec,
    const se_component_t *comp);

/* derivation after reading: groups, page.updated_at */
void se_derive(se_model_t *m);

#endif /* SE_DERIVE_H */
