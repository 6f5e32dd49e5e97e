"""config.yml builds a training and prediction graph that Rasa's own validation accepts (the checks
`rasa train` runs before training: component types, return annotations that Rasa can fingerprint, ...)."""

import yaml
from rasa.engine import validation
from rasa.engine.recipes.recipe import Recipe
from rasa.shared.data import TrainingType

from clinic_faq.paths import project_file


def test_the_pipeline_passes_rasas_graph_validation():
    config = yaml.safe_load(project_file("config.yml").read_text(encoding="utf-8"))
    recipe = Recipe.recipe_for_name(config.get("recipe"))
    model_configuration = recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH)
    validation.validate(model_configuration)  # raises GraphSchemaValidationException on a bad component
    schemas = (model_configuration.train_schema, model_configuration.predict_schema)
    names = {node.uses.__name__ for schema in schemas for node in schema.nodes.values()}
    assert {"SafetyScreenComponent", "LinearIntentClassifier", "LanguageDetector"} <= names
