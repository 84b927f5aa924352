package io.github.dubboredis.cli;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.registry.client.migration.model.MigrationRule;
import org.apache.dubbo.rpc.cluster.Configurator;
import org.apache.dubbo.rpc.cluster.configurator.parser.ConfigParser;
import org.apache.dubbo.rpc.cluster.router.AbstractRouterRule;
import org.apache.dubbo.rpc.cluster.router.condition.ConditionStateRouter;
import org.apache.dubbo.rpc.cluster.router.condition.MultiDestConditionRouter;
import org.apache.dubbo.rpc.cluster.router.condition.config.model.ConditionRouterRule;
import org.apache.dubbo.rpc.cluster.router.condition.config.model.ConditionRuleParser;
import org.apache.dubbo.rpc.cluster.router.condition.config.model.MultiDestCondition;
import org.apache.dubbo.rpc.cluster.router.condition.config.model.MultiDestConditionRouterRule;
import org.apache.dubbo.rpc.cluster.router.script.config.model.ScriptRule;
import org.apache.dubbo.rpc.cluster.router.tag.model.Tag;
import org.apache.dubbo.rpc.cluster.router.tag.model.TagRouterRule;
import org.apache.dubbo.rpc.cluster.router.tag.model.TagRuleParser;
import org.apache.dubbo.rpc.model.ApplicationModel;

import io.github.dubboredis.internal.configcenter.ConfigCenter;

/**
 * Checks configuration before it is written, with Dubbo's own parsers, by the kind its key names: Dubbo reads a
 * rule only when it changes, and a rule it cannot use is logged on every consumer and otherwise ignored, the old
 * one staying in force; so this is the only feedback its author gets. Beyond syntax it catches what Dubbo takes
 * in silence: a rule stored under a key its listeners never read, or targeting another service than the one it is
 * stored for; a configurator without {@code side} (nothing of it applies); a rule disabled; a group Dubbo does not
 * read rules from. Errors stop the write; warnings are shown.
 */
final class RuleCheck {

    /** The group Dubbo's governance reads every rule from ({@code GovernanceRuleRepository.DEFAULT_GROUP}). */
    static final String RULE_GROUP = "dubbo";
    /** The group Dubbo's migration rules live in. */
    static final String MIGRATION_GROUP = "DUBBO_SERVICEDISCOVERY_MIGRATION";

    /** What a check found; the kind names what the key says the content is. */
    record Result(String kind, List<String> errors, List<String> warnings) {
        boolean ok() {
            return errors.isEmpty();
        }
    }

    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private RuleCheck() {
    }

    static Result check(String group, String key, String content) {
        return new RuleCheck().run(group, key, content);
    }

    private Result run(String group, String key, String content) {
        if (content.isBlank()) {
            errors.add("the content is empty; to remove a configuration use 'config rm'");
            return new Result("empty", errors, warnings);
        }
        long bytes = content.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > ConfigCenter.MAX_CONTENT_BYTES) {
            errors.add("the content is " + bytes + " bytes; the Redis configuration centre takes at most "
                    + ConfigCenter.MAX_CONTENT_BYTES);
        }
        String kind;
        if (key.endsWith(".condition-router")) {
            kind = "condition rule";
            ruleGroup(group, RULE_GROUP);
            condition(target(key, ".condition-router"), content);
        } else if (key.endsWith(".tag-router")) {
            kind = "tag rule";
            ruleGroup(group, RULE_GROUP);
            tag(target(key, ".tag-router"), content);
        } else if (key.endsWith(".configurators")) {
            kind = "configurators";
            ruleGroup(group, RULE_GROUP);
            configurators(target(key, ".configurators"), content);
        } else if (key.endsWith(".script-router")) {
            kind = "script rule";
            ruleGroup(group, RULE_GROUP);
            script(content);
        } else if (key.endsWith(".migration")) {
            kind = "migration rule";
            ruleGroup(group, MIGRATION_GROUP);
            migration(content);
        } else if (key.endsWith(".properties")) {
            kind = "properties";
            properties(content);
        } else {
            kind = "other";
            warnings.add("'" + Output.text(key) + "' is no key Dubbo reads a rule from (<service>:<version>:<group> or "
                    + "<application> followed by .condition-router, .tag-router, .configurators, .script-router; "
                    + "<application>.migration; *.properties): written as it is");
        }
        return new Result(kind, errors, warnings);
    }

    private void ruleGroup(String group, String expected) {
        if (!expected.equals(group)) {
            warnings.add("Dubbo reads these rules from group '" + expected + "' only: in group '" + Output.text(group)
                    + "' nothing applies it (use --group " + expected + ")");
        }
    }

    /** The part of a key before its kind's suffix: {@code <interface>:<version>:<group>} or an application name. */
    private static String target(String key, String suffix) {
        return key.substring(0, key.length() - suffix.length());
    }

    private static boolean isServiceTarget(String target) {
        return target.indexOf(':') >= 0;
    }

    // ---- condition rules ---------------------------------------------------------------------------------

    private void condition(String target, String content) {
        AbstractRouterRule rule;
        try {
            rule = ConditionRuleParser.parse(content);
        } catch (RuntimeException e) {
            errors.add("Dubbo cannot read this condition rule: " + describe(e));
            return;
        }
        if (rule == null) {
            errors.add("its configVersion is above v3.1: Dubbo's parser returns no rule, and the old one stays in force");
            return;
        }
        if (!rule.isValid()) {
            errors.add("it has no conditions: Dubbo takes it for no rule");
            return;
        }
        routerCommon(rule, target, ".condition-router");
        URL consumer = URL.valueOf("consumer://127.0.0.1/" + (isServiceTarget(target) ? target.substring(0, target.indexOf(':'))
                : "org.example.Service") + "?side=consumer").setScopeModel(ApplicationModel.defaultModel().getDefaultModule());
        if (rule instanceof ConditionRouterRule v30) {
            for (String condition : v30.getConditions()) {
                try {
                    new ConditionStateRouter<Object>(consumer, condition, rule.isForce(), rule.isEnabled());
                } catch (RuntimeException e) {
                    errors.add("condition '" + Output.text(condition) + "': " + describe(e));
                }
            }
        } else if (rule instanceof MultiDestConditionRouterRule v31) {
            for (MultiDestCondition condition : v31.getConditions()) {
                try {
                    new MultiDestConditionRouter<Object>(consumer, condition, rule.isForce(), rule.isEnabled());
                } catch (RuntimeException e) {
                    errors.add("condition from " + Output.text(String.valueOf(condition.getFrom())) + ": " + describe(e));
                }
            }
        }
    }

    /** What condition and tag rules share: scope against the key, the informational key, enabled. */
    private void routerCommon(AbstractRouterRule rule, String target, String suffix) {
        String scope = rule.getScope() == null ? "" : rule.getScope().toLowerCase(Locale.ROOT);
        if ("service".equals(scope) && !isServiceTarget(target)) {
            errors.add("a service-level rule is stored at <interface>:<version>:<group>" + suffix + " (for example "
                    + Output.text(target) + "::" + suffix + "); stored here, Dubbo reads it as the rule of an application "
                    + "named '" + Output.text(target) + "'");
        } else if ("application".equals(scope) && isServiceTarget(target)) {
            warnings.add("its scope is 'application' but it is stored under the service key '" + Output.text(target)
                    + "': Dubbo applies it to that service");
        }
        String yamlKey = rule.getKey();
        if (yamlKey != null && !yamlKey.isEmpty() && !target.equals(yamlKey)
                && !(isServiceTarget(target) && target.substring(0, target.indexOf(':')).equals(yamlKey))) {
            warnings.add("its 'key' (" + Output.text(yamlKey) + ") is not the key it is stored under (" + Output.text(target)
                    + "): Dubbo ignores 'key' and applies it to " + Output.text(target));
        }
        if (!rule.isEnabled()) {
            warnings.add("enabled: false: Dubbo keeps it and applies nothing");
        }
    }

    // ---- tag rules -------------------------------------------------------------------------------------------

    private void tag(String target, String content) {
        TagRouterRule rule;
        try {
            rule = TagRuleParser.parse(content);
        } catch (RuntimeException e) {
            errors.add("Dubbo cannot read this tag rule: " + describe(e));
            return;
        }
        if (rule == null || !rule.isValid()) {
            errors.add("it has no tags: Dubbo takes it for no rule");
            return;
        }
        if (isServiceTarget(target)) {
            errors.add("tag rules are per provider application: store it at <application>.tag-router, not under the "
                    + "service key '" + Output.text(target) + "'");
        }
        routerCommon(rule, target, ".tag-router");
        for (Tag tag : rule.getTags()) {
            String name = tag.getName() == null ? "" : tag.getName();
            if (name.isEmpty()) {
                errors.add("a tag has no name");
            }
            boolean addresses = tag.getAddresses() != null && !tag.getAddresses().isEmpty();
            boolean match = tag.getMatch() != null && !tag.getMatch().isEmpty();
            if (!addresses && !match) {
                warnings.add("tag '" + Output.text(name) + "' selects no instance (neither 'addresses' nor 'match')");
            }
            if (addresses) {
                for (String address : tag.getAddresses()) {
                    if (address.startsWith("127.") || address.startsWith("localhost")) {
                        warnings.add("tag '" + Output.text(name) + "': Dubbo cannot match the loopback address '"
                                + Output.text(address) + "' (it takes loopback hosts for IPv6); write [::ffff:" + Output.text(address)
                                .replaceFirst(":", "]:") + " for a test on loopback");
                    }
                }
            }
        }
    }

    // ---- configurators ---------------------------------------------------------------------------------

    private void configurators(String target, String content) {
        List<URL> urls;
        try {
            urls = ConfigParser.parseConfigurators(content);
        } catch (NullPointerException e) {
            errors.add("it has no 'configs': Dubbo cannot read it");
            return;
        } catch (RuntimeException e) {
            errors.add("Dubbo cannot read these configurators: " + describe(e));
            return;
        }
        if (urls.isEmpty()) {
            errors.add("it configures nothing ('configs' is empty)");
            return;
        }
        for (int i = 0; i < urls.size(); i++) {
            URL u = urls.get(i);
            if (u.getParameter("side") == null) {
                errors.add("config #" + (i + 1) + " has no 'side': Dubbo applies nothing of it; write side: provider "
                        + "(applied by the provider, and seen by consumers through the registry) or side: consumer");
            }
            if (!u.getParameter("enabled", true)) {
                warnings.add("config #" + (i + 1) + " is disabled (enabled: false)");
            }
            String aims;
            if ("*".equals(u.getPath()) || u.getPath() == null) {
                aims = u.getParameter("application", "");
            } else {
                aims = u.getPath() + ":" + u.getVersion("") + ":" + u.getGroup("");
            }
            if (!aims.equals(target)) {
                errors.add("config #" + (i + 1) + " is for '" + Output.text(aims) + "' (from its 'key'), but it is stored under '"
                        + Output.text(target) + "': the listeners of '" + Output.text(target) + "' read it and it applies to "
                        + "nothing there; store it at " + Output.text(aims) + ".configurators");
            }
        }
        if (Configurator.toConfigurators(urls).map(List::isEmpty).orElse(true)) {
            errors.add("Dubbo makes no configurator of it");
        }
    }

    // ---- the rest ----------------------------------------------------------------------------------------

    private void script(String content) {
        try {
            ScriptRule rule = ScriptRule.parse(content);
            if (rule == null || !rule.isValid()) {
                errors.add("it has no script: Dubbo takes it for no rule");
            } else if (rule.getType() == null || rule.getType().toLowerCase(Locale.ROOT).contains("javascript")) {
                warnings.add("a JavaScript rule needs a JSR-223 engine on the consumers (none ships with Java 15 and later)");
            }
        } catch (RuntimeException e) {
            errors.add("Dubbo cannot read this script rule: " + describe(e));
        }
    }

    private void migration(String content) {
        try {
            if (MigrationRule.parse(content) == null) {
                errors.add("Dubbo reads no migration rule from it");
            }
        } catch (RuntimeException e) {
            errors.add("Dubbo cannot read this migration rule: " + describe(e));
        }
    }

    private void properties(String content) {
        try {
            Properties p = new Properties();
            p.load(new StringReader(content));
            if (p.isEmpty()) {
                warnings.add("it holds no property");
            }
        } catch (IOException | IllegalArgumentException e) {
            errors.add("not a properties file: " + describe(e));
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        String message = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + t.getMessage();
        return Output.text(message);
    }
}
